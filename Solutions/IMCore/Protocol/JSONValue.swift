// Lesson 01 (used by lessons 10, 13, 20): a JSON value whose shape the codec does not know.
//
// Lesson 13's tunnel carries whole frames inside its bodies, and later lessons' frames
// (`room.post`, `group.send`) carry payloads only their extension understands. Both are kept as a
// JSON value: readable, written back out unchanged. Integers stay integers (ids and versions are
// 64-bit).

import Foundation

/// Any JSON value.
public indirect enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Reads a value from JSON text.
    public init(json bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The value as JSON text.
    public var jsonBytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Every case encodes; a failure would be a bug in this enum.
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }

    /// The value read as `T`, e.g. an extension frame's payload. Throws `DecodingError` when it does not fit.
    public func decode<T: Decodable>(_: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(jsonBytes))
    }

    /// `value` as a JSON value (what an extension puts in a server frame's `data`).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        self = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value))
    }
}
