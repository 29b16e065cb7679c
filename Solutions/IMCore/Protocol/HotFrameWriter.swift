// Lesson 01 (performance): the two frames sent for every message, written by hand.
//
// Every stored message is answered with an `ack` and pushed as `push` frames to the devices of
// both members. Flat out, Foundation's `JSONEncoder` spent more of the server's CPU on these two
// than SQLite spent storing the message: it builds a tree of boxed values, looks up the coding keys
// and only then writes. This writer appends the text directly. It writes the same values, and
// escapes strings exactly as `JSONEncoder` does (with `.withoutEscapingSlashes`); the tests compare
// the two. The keys come in the order docs/PROTOCOL.md shows. (`JSONEncoder` on Linux writes them in
// no fixed order, so no client can have relied on one.)

/// Writes `ack`, `push`, `send` and `pushAck` frames with the values and escaping `JSONEncoder` gives.
struct HotFrameWriter {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(320) }

    /// `{"v":1,"type":"ack","ref":…,"data":{"message":…}}`
    static func ack(ref: String?, _ message: Message) -> String {
        var writer = HotFrameWriter()
        writer.header(type: "ack", ref: ref)
        writer.raw("\"data\":{\"message\":")
        writer.message(message)
        writer.raw("}}")
        return writer.text
    }

    /// `{"v":1,"type":"push","data":{"pushID":…,"entry":…}}`
    static func push(pushID: UInt64?, _ entry: TimelineEntry) -> String {
        var writer = HotFrameWriter()
        writer.header(type: "push", ref: nil)
        writer.raw("\"data\":{")
        if let pushID {
            writer.raw("\"pushID\":")
            writer.raw(String(pushID))
            writer.raw(",")
        }
        writer.raw("\"entry\":{\"version\":")
        writer.raw(String(entry.version))
        writer.raw(",\"prevVersion\":")
        writer.raw(String(entry.prevVersion))
        writer.raw(",\"kind\":")
        writer.string(entry.kind.rawValue)
        if let message = entry.message {
            writer.raw(",\"message\":")
            writer.message(message)
        }
        if let read = entry.read {
            writer.raw(",\"read\":{\"conversationID\":")
            writer.string(read.conversationID.rawValue)
            writer.raw(",\"unread\":")
            writer.raw(String(read.unread))
            writer.raw(",\"totalUnread\":")
            writer.raw(String(read.totalUnread))
            writer.optional("readSeq", read.readSeq)
            writer.raw("}")
        }
        writer.raw("}}}")
        return writer.text
    }

    /// `{"v":1,"type":"send","id":…,"data":{"to":…,"body":…,"clientMsgID":…,"from":…}}`: what
    /// every client sends for every message (im-bench sends thousands a second).
    static func send(id: String?, _ request: SendRequest) -> String {
        var writer = HotFrameWriter()
        writer.header(type: "send", ref: nil, id: id)
        writer.raw("\"data\":{\"to\":")
        writer.raw(String(request.to.rawValue))
        writer.raw(",\"body\":")
        writer.string(request.body)
        if let clientMsgID = request.clientMsgID {
            writer.raw(",\"clientMsgID\":")
            writer.string(clientMsgID)
        }
        writer.optional("from", request.from?.rawValue)
        writer.raw("}}")
        return writer.text
    }

    /// `{"v":1,"type":"pushAck","data":{"pushID":…}}`, or `"upTo"` for every push up to a number.
    static func pushAck(field: String, _ pushID: UInt64) -> String {
        var writer = HotFrameWriter()
        writer.header(type: "pushAck", ref: nil)
        writer.raw("\"data\":{\"\(field)\":")
        writer.raw(String(pushID))
        writer.raw("}}")
        return writer.text
    }

    private var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func header(type: String, ref: String?, id: String? = nil) {
        raw("{\"v\":")
        raw(String(protocolVersion))
        raw(",\"type\":")
        string(type)
        if let id {
            raw(",\"id\":")
            string(id)
        }
        if let ref {
            raw(",\"ref\":")
            string(ref)
        }
        raw(",")
    }

    private mutating func message(_ message: Message) {
        raw("{\"id\":")
        raw(String(message.id.rawValue))
        raw(",\"conversationID\":")
        string(message.conversationID.rawValue)
        raw(",\"from\":")
        raw(String(message.from.rawValue))
        raw(",\"to\":")
        raw(String(message.to.rawValue))
        if let clientMsgID = message.clientMsgID {
            raw(",\"clientMsgID\":")
            string(clientMsgID)
        }
        raw(",\"body\":")
        string(message.body)
        raw(",\"sentAt\":")
        raw(String(message.sentAt))
        optional("seq", message.seq)
        optional("prevSeq", message.prevSeq)
        raw("}")
    }

    /// `,"key":value`, or nothing when `value` is nil (as `encodeIfPresent` does).
    private mutating func optional(_ key: String, _ value: Int64?) {
        guard let value else { return }
        raw(",\"")
        raw(key)
        raw("\":")
        raw(String(value))
    }

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A JSON string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or `\u00xx`
    /// (lower-case hex), everything else, `/` and non-ASCII included, as it is.
    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                    hex[Int(byte & 0x0F)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
