// The client library of the IM: what a connection to the server offers, whatever carries it.
//
// A WebSocket (`IMWebSocketClient`) and an HTTP tunnel session (`IMTunnelClient`, lesson 13)
// carry the same frames with the same guarantees, so code above them (`IMAdaptiveClient`, the
// tests) talks to either through this protocol.

import IMCore

/// A live connection carrying protocol frames.
public protocol IMTransport: AnyObject, Sendable {
    /// The server's first frame.
    var hello: Hello { get }
    /// Sends a frame (queued; written in order).
    func send(_ frame: ClientFrame)
    /// The next frame from the server; throws `timedOut` or `closed`.
    func next(timeout: Duration) async throws -> ServerFrame
    /// Frames received and not read yet.
    func buffered() async -> [ServerFrame]
    /// Whether the connection has ended.
    func isClosed() async -> Bool
    /// Closes the connection.
    func close()
}

extension IMTransport {
    /// The next frame that `matches`, skipping others seen on the way.
    public func next(
        timeout: Duration = .seconds(10), where matches: @Sendable (ServerFrame) -> Bool
    ) async throws -> ServerFrame {
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await next(timeout: deadline - .now)
            if matches(frame) { return frame }
        }
    }

    /// Sends a message and waits for its ack (other frames arriving meanwhile are skipped).
    public func sendMessage(to: UserID, body: String, clientMsgID: String? = nil, requestID: String) async throws -> Message {
        send(.send(id: requestID, SendRequest(to: to, body: body, clientMsgID: clientMsgID)))
        let frame = try await next { frame in
            switch frame {
            case .ack(let ref, _), .error(let ref, _): ref == requestID
            default: false
            }
        }
        switch frame {
        case .ack(_, let message): return message
        case .error(_, let error): throw IMClientError.server(status: 0, error)
        default: throw IMClientError.closed
        }
    }

    /// The next pushed message, skipping other frames on the way.
    public func nextPushedMessage(timeout: Duration = .seconds(10)) async throws -> Message {
        let frame = try await next(timeout: timeout) { frame in
            if case .push(_, let entry) = frame { entry.message != nil } else { false }
        }
        if case .push(_, let entry) = frame, let message = entry.message { return message }
        throw IMClientError.closed
    }
}
