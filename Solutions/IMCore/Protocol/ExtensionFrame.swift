// Lesson 01, the frames of later lessons: a frame whose type the core protocol does not know.
//
// Live rooms (lesson 10) and groups (lesson 20) add frames of their own: `room.join`,
// `group.send`. If each were a case of `ClientFrame`, lesson 01's codec would have to know every
// later lesson. Instead a type with a dot in it names a later lesson's frame: the codec reads it
// as an `ExtensionFrame`, keeps its `data` as a JSON value, and the extension that owns the
// type (its `FrameHandler`) reads the payload it expects.

import Foundation

/// A client frame of a later lesson: its type (`room.post`), its request id and its raw `data`.
public struct ExtensionFrame: Hashable, Sendable {
    /// A type with a dot in it, the part before the dot naming the extension (`room`, `group`).
    public let type: String
    /// The client's request id, answered as `ref`.
    public let id: String?
    /// The frame's `data`, unread (nil when the frame had none).
    public let data: JSONValue?

    public init(type: String, id: String?, data: JSONValue?) {
        self.type = type
        self.id = id
        self.data = data
    }

    /// Whether `type` names a later lesson's frame: a dot between two non-empty parts, at most 64
    /// characters, letters, digits, `.`, `_` and `-` only.
    public static func isExtensionType(_ type: String) -> Bool {
        guard type.utf8.count <= 64, let dot = type.firstIndex(of: "."), dot != type.startIndex,
            type.index(after: dot) != type.endIndex
        else { return false }
        return type.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
        }
    }

    /// The payload read as `Payload`: `bad_frame` when `data` is missing or does not fit, or the
    /// payload's own `invalid_argument` when a field is well-formed but not allowed.
    public func payload<Payload: Decodable>(_: Payload.Type) throws -> Payload {
        guard let data else { throw IMError.badFrame("`\(type)` frame has no `data`") }
        do {
            return try data.decode(Payload.self)
        } catch let error as IMError {
            throw error
        } catch {
            throw IMError.badFrame("`\(type)` frame has missing or invalid fields in `data`")
        }
    }
}
