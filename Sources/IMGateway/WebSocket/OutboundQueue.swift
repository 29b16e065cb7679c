// LESSON 03 STARTER, generated from Solutions/IMGateway/WebSocket/OutboundQueue.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: frames waiting to be written to one WebSocket.
//
// Pushes come from many tasks (other users sending); a WebSocket has one writer. The queue
// turns "send" into a non-blocking enqueue, and one writer task drains it in order.

import IMCore
import NIOWebSocket

/// What the writer of one connection does next.
enum OutboundItem: Sendable {
    case frame(ServerFrame)
    case close(WebSocketErrorCode, reason: String)
}

/// The `FrameSink` of a WebSocket connection: an ordered, unbounded queue to its writer task.
struct OutboundQueue: FrameSink {
    let continuation: AsyncStream<OutboundItem>.Continuation

    /// A new queue and the stream its writer reads.
    static func make() -> (OutboundQueue, AsyncStream<OutboundItem>) {
        let (stream, continuation) = AsyncStream.makeStream(of: OutboundItem.self)
        return (OutboundQueue(continuation: continuation), stream)
    }

    func send(_ frame: ServerFrame) { continuation.yield(.frame(frame)) }
    func close(reason: String) { close(.normalClosure, reason: reason) }
    func close(_ code: WebSocketErrorCode, reason: String) {
        continuation.yield(.close(code, reason: reason))
        continuation.finish()
    }
    func finish() { continuation.finish() }
}
