// Fuzz target: the frame codec on any bytes a client or a server could send.
//
// Whatever arrives, the codec must answer with a frame or an `IMError`, never trap; a frame it
// reads must survive being written and read again unchanged (what a relay or the tunnel does).

import IMCore

private let codec = FrameCodec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameCodec(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    if readsBack(bytes, decode: codec.decodeClientFrame, encode: codec.encode) == nil {
        // The error path reads the request id, so that the error frame still answers the request.
        _ = FrameCodec.requestID(in: bytes)
    }
    _ = readsBack(bytes, decode: codec.decodeServerFrame, encode: codec.encode)
    return 0
}

/// The frame in `bytes`, checked to read back unchanged once written; nil when the codec refused it.
private func readsBack<Frame: Equatable>(_ bytes: [UInt8], decode: ([UInt8]) throws -> Frame, encode: (Frame) -> String)
    -> Frame?
{
    do {
        let frame = try decode(bytes)
        let again = try? decode(Array(encode(frame).utf8))
        require(again == frame, "\(frame) reads back as \(String(describing: again))")
        return frame
    } catch {
        require(error is IMError, "the codec threw \(error), not an IMError")
        return nil
    }
}
