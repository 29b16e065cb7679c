// Lesson 01: an error about a frame still answers the request it belongs to.
//
// A client matches answers to requests by `ref`. When a frame cannot be decoded (an unknown
// type, another version, a bad `data`), its `id` may still be readable, and an error frame
// without it would leave that client waiting for an answer that never comes.

import Foundation

extension FrameCodec {
    /// The `id` of a frame that failed to decode, when the bytes are a JSON object whose `id` is
    /// a string; nil otherwise. Only called on the error path.
    public static func requestID(in bytes: [UInt8]) -> String? {
        try? JSONDecoder().decode(RequestIDOnly.self, from: Data(bytes)).id
    }
}

/// Reads `id` and ignores every other field, whatever its type.
private struct RequestIDOnly: Decodable {
    let id: String?

    private enum CodingKeys: String, CodingKey { case id }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
    }
}
