// Lesson 01 (performance): reading frames, with the frames of every message read by hand.

extension FrameCodec {
    /// Reads one frame sent by a client, as `decodeClientFrame` does, with the same result and
    /// the same errors: `send` and `pushAck` frames in their plain form are read by
    /// `HotFrameReader`, everything else, and everything unusual, by `decodeClientFrame`.
    public func readClientFrame(_ bytes: [UInt8]) throws -> ClientFrame {
        if bytes.count <= maxFrameBytes, let frame = HotFrameReader.clientFrame(bytes) { return frame }
        return try decodeClientFrame(bytes)
    }

    /// Reads one frame sent by the server, as `decodeServerFrame` does: `ack` and `push` frames
    /// in their plain form by `HotFrameReader`, everything else by `decodeServerFrame`.
    public func readServerFrame(_ bytes: [UInt8]) throws -> ServerFrame {
        if let frame = HotFrameReader.serverFrame(bytes) { return frame }
        return try decodeServerFrame(bytes)
    }
}
