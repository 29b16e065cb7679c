// LESSON 01 STARTER, generated from Solutions/IMCore/Protocol/HotFrameReader.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 01 (performance): the frames of every message, read by hand.
//
// Every message costs the server two incoming frames: the sender's `send` and the recipient's
// `pushAck`. Foundation's `JSONDecoder` builds a tree of every value, then walks it through the
// `Decodable` machinery: under load that was a tenth of the server's CPU. This reader scans the
// bytes once and builds the frame directly, but only for the plainest form of these frames: the
// keys the protocol defines, each once, integers without fraction or exponent, strings with valid
// UTF-8. Anything else, valid or not (another type, an unknown key, a float, an error of any
// kind), makes it answer nil, and the codec reads the frame as before, with its errors in their
// documented order. The tests check that whenever this reader answers, the codec gives the same
// frame. Clients read the server's `ack` and `push` frames the same way.

/// Reads the hot frames without `JSONDecoder`; nil means "ask the codec".
public enum HotFrameReader {
    /// `bytes` as a `send` or `pushAck` frame, or nil when it is anything else or unusual in any way.
    public static func clientFrame(_ bytes: [UInt8]) -> ClientFrame? {
        header(bytes).flatMap { $0.clientFrame() }
    }

    /// `bytes` as an `ack` or `push` frame, or nil when it is anything else or unusual in any way.
    /// (For clients, im-bench among them: a load generator must not be slower than the server.)
    public static func serverFrame(_ bytes: [UInt8]) -> ServerFrame? {
        header(bytes).flatMap { $0.serverFrame() }
    }

    private static func header(_ bytes: [UInt8]) -> ScannedFrame? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard let value = scanner.value(depth: 0), scanner.atEnd(), case .object(let fields) = value else { return nil }
            return ScannedFrame(fields)
        }
    }
}

/// A JSON value of the kinds these frames use: no arrays, no fractions, no booleans.
private enum Value {
    case string(String)
    case integer(negative: Bool, magnitude: UInt64)
    case null
    case object([(key: String, value: Value)])

    var int64: Int64? {
        // "-0" is left to the codec, like every other unusual spelling.
        guard case .integer(let negative, let magnitude) = self, !(negative && magnitude == 0) else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    var uint64: UInt64? {
        guard case .integer(false, let magnitude) = self else { return nil }
        return magnitude
    }

    var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    var isNull: Bool {
        guard case .null = self else { return false }
        return true
    }
}

/// The fields of an object, each key at most once: anything else is the codec's to judge.
private struct Fields {
    private var values: [String: Value] = [:]

    /// nil when a key repeats or is not one of `known`.
    init?(_ fields: [(key: String, value: Value)], known: Set<String>) {
        for (key, value) in fields {
            guard known.contains(key), values.updateValue(value, forKey: key) == nil else { return nil }
        }
    }

    subscript(key: String) -> Value? { values[key] }

    /// An optional field: absent and null are nil; `.some(nil)` means "there, but not readable".
    func optional<T>(_ key: String, _ read: (Value) -> T?) -> T?? {
        guard let value = values[key], !value.isNull else { return Optional(Optional<T>.none) }
        guard let result = read(value) else { return nil }
        return Optional(Optional(result))
    }
}

/// The top-level fields of a frame, before its type gives `data` a meaning.
private struct ScannedFrame {
    // The keys each object may have (built once: a set literal in a function is built on every call).
    private static let frameKeys: Set<String> = ["v", "type", "id", "ref", "data"]
    private static let sendKeys: Set<String> = ["to", "body", "clientMsgID", "from"]
    private static let pushAckKeys: Set<String> = ["pushID", "upTo"]
    private static let ackKeys: Set<String> = ["message"]
    private static let pushKeys: Set<String> = ["pushID", "entry"]
    private static let messageKeys: Set<String> = [
        "id", "conversationID", "from", "to", "clientMsgID", "body", "sentAt", "seq", "prevSeq",
    ]
    private static let entryKeys: Set<String> = ["version", "prevVersion", "kind", "message", "read"]
    private static let receiptKeys: Set<String> = ["conversationID", "unread", "totalUnread", "readSeq"]

    let type: String
    /// `id` for client frames, `ref` for server frames; absent and null are nil.
    let id: String?
    let ref: String?
    let data: Value?

    init?(_ fields: [(key: String, value: Value)]) {
        guard let frame = Fields(fields, known: Self.frameKeys),
            frame["v"]?.int64 == Int64(protocolVersion), let type = frame["type"]?.string,
            let id = frame.optional("id", \.string), let ref = frame.optional("ref", \.string)
        else { return nil }
        self.type = type
        self.id = id
        self.ref = ref
        data = frame["data"]
    }

    func clientFrame() -> ClientFrame? {
        // A server frame's `ref` in a client frame: the codec decides.
        guard ref == nil, case .object(let fields)? = data else { return nil }
        switch type {
        case "send":
            guard let data = Fields(fields, known: Self.sendKeys),
                let to = data["to"]?.int64, let body = data["body"]?.string,
                let clientMsgID = data.optional("clientMsgID", \.string), let from = data.optional("from", \.int64)
            else { return nil }
            return .send(id: id, SendRequest(to: UserID(to), body: body, clientMsgID: clientMsgID, from: from.map { UserID($0) }))
        case "pushAck":
            guard let data = Fields(fields, known: Self.pushAckKeys) else { return nil }
            switch (data["pushID"], data["upTo"]) {
            case (let pushID?, nil): return pushID.uint64.map { .pushAck(pushID: $0) }
            case (nil, let upTo?): return upTo.uint64.map { .pushAcks(upTo: $0) }
            default: return nil  // both or neither: the codec answers `bad_frame`
            }
        default: return nil
        }
    }

    func serverFrame() -> ServerFrame? {
        guard id == nil, case .object(let fields)? = data else { return nil }
        switch type {
        case "ack":
            guard let data = Fields(fields, known: Self.ackKeys), let message = data["message"].flatMap(Self.message)
            else { return nil }
            return .ack(ref: ref, message)
        case "push":
            guard ref == nil, let data = Fields(fields, known: Self.pushKeys),
                let pushID = data.optional("pushID", \.uint64), let entry = data["entry"].flatMap(Self.entry)
            else { return nil }
            return .push(pushID: pushID, entry)
        default: return nil
        }
    }

    private static func message(_ value: Value) -> Message? {
        guard case .object(let fields) = value,
            let message = Fields(
                fields, known: Self.messageKeys),
            let id = message["id"]?.int64, let conversation = message["conversationID"]?.string.flatMap(ConversationID.init),
            let from = message["from"]?.int64, let to = message["to"]?.int64, let body = message["body"]?.string,
            let sentAt = message["sentAt"]?.int64, let clientMsgID = message.optional("clientMsgID", \.string),
            let seq = message.optional("seq", \.int64), let prevSeq = message.optional("prevSeq", \.int64)
        else { return nil }
        return Message(
            id: MessageID(id), conversationID: conversation, from: UserID(from), to: UserID(to), clientMsgID: clientMsgID,
            body: body, sentAt: sentAt, seq: seq, prevSeq: prevSeq)
    }

    /// Only entries whose `kind` matches the one part they carry: others cannot be made with
    /// `TimelineEntry`'s initializers, so the codec reads them.
    private static func entry(_ value: Value) -> TimelineEntry? {
        guard case .object(let fields) = value,
            let entry = Fields(fields, known: Self.entryKeys),
            let version = entry["version"]?.int64, let prevVersion = entry["prevVersion"]?.int64,
            let message = entry.optional("message", Self.message), let read = entry.optional("read", Self.receipt)
        else { return nil }
        switch (entry["kind"]?.string, message, read) {
        case ("message", let message?, nil): return TimelineEntry(version: version, prevVersion: prevVersion, message: message)
        case ("read", nil, let read?): return TimelineEntry(version: version, prevVersion: prevVersion, read: read)
        default: return nil
        }
    }

    private static func receipt(_ value: Value) -> ReadReceipt? {
        guard case .object(let fields) = value,
            let receipt = Fields(fields, known: Self.receiptKeys),
            let conversation = receipt["conversationID"]?.string.flatMap(ConversationID.init),
            let unread = receipt["unread"]?.int64, let totalUnread = receipt["totalUnread"]?.int64,
            let readSeq = receipt.optional("readSeq", \.int64)
        else { return nil }
        return ReadReceipt(conversationID: conversation, unread: Int(unread), totalUnread: Int(totalUnread), readSeq: readSeq)
    }
}

/// A single pass over JSON text that accepts only what `ScannedFrame` needs and fails on the rest.
private struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Objects nest at most this deep; deeper input is the codec's.
    private static let maximumDepth = 4

    /// A value: an object, a string, an integer or null.
    mutating func value(depth: Int) -> Value? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { return nil }
            index += 1
            var fields: [(key: String, value: Value)] = []
            if take(UInt8(ascii: "}")) { return .object(fields) }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), let value = value(depth: depth + 1) else { return nil }
                fields.append((key, value))
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? .object(fields) : nil
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return integer()
        }
    }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// `-?(0|[1-9][0-9]*)` that fits in a UInt64, not followed by a fraction or an exponent.
    private mutating func integer() -> Value? {
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        return .integer(negative: negative, magnitude: magnitude)
    }

    /// A string: its escapes resolved, its UTF-8 checked.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        return nil
    }

    /// The rest of a string that has escapes; `start` is just after its opening quote.
    private mutating func escapedString(from start: Int) -> String? {
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(validating: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    utf8.append(contentsOf: UTF8.encode(scalar)!)
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                utf8.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (the `\u` already read), a surrogate pair taking two escapes.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let first = hex4() else { return nil }
        switch first {
        case 0xD800...0xDBFF:
            guard literal("\\u", skippingWhitespace: false), let second = hex4(), (0xDC00...0xDFFF).contains(second) else {
                return nil
            }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00...0xDFFF: return nil
        default: return Unicode.Scalar(first)
        }
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func literal(_ text: StaticString, skippingWhitespace: Bool = true) -> Bool {
        if skippingWhitespace { skipWhitespace() }
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// Skips whitespace, then consumes `byte` if it comes next.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
