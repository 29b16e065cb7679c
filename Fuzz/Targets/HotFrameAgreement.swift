// Fuzz target: the hand-written hot-frame reader must agree with the codec on every input.
//
// `readClientFrame` and `readServerFrame` promise the result and the error `decodeClientFrame`
// and `decodeServerFrame` give. This traps on the first input where they do not: a frame the
// reader accepts that the codec refuses, a different frame, or a different error.

import IMCore

private let codec = FrameCodec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHotFrameAgreement(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    agree(Result { try codec.readClientFrame(bytes) }, Result { try codec.decodeClientFrame(bytes) }, bytes)
    agree(Result { try codec.readServerFrame(bytes) }, Result { try codec.decodeServerFrame(bytes) }, bytes)
    return 0
}

/// Same frame, or the same `IMError`.
private func agree<Frame: Equatable>(_ fast: Result<Frame, any Error>, _ codec: Result<Frame, any Error>, _ bytes: [UInt8]) {
    switch (fast, codec) {
    case (.success(let a), .success(let b)) where a == b: return
    case (.failure(let a as IMError), .failure(let b as IMError)) where a == b: return
    default:
        fatalError("hot reader and codec disagree on \(String(decoding: bytes, as: UTF8.self)): \(fast) vs \(codec)")
    }
}
