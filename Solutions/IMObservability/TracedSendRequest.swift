// Lesson 19: the frame of a traced send (docs/PROTOCOL.md, "Trace context").
//
// A `send` frame's fields are lesson 01's, and its reader drops fields it does not know, so the
// trace context travels in a frame of this lesson: `trace.send`, whose `data` is a send's plus
// `traceparent` (and the optional, opaque `tracestate`). It is answered as a `send` is, with `ack`.

import IMCore

/// The `data` of a `trace.send` frame.
public struct TracedSendRequest: Codable, Sendable, Hashable {
    /// The W3C trace context of the client's span, `00-<trace id>-<span id>-<flags>`.
    public let traceparent: String
    /// Vendor data of the trace, passed on untouched (not used by this server).
    public let tracestate: String?
    public let to: UserID
    public let body: String
    public let clientMsgID: String?

    public init(traceparent: String, tracestate: String? = nil, to: UserID, body: String, clientMsgID: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
        self.to = to
        self.body = body
        self.clientMsgID = clientMsgID
    }

    /// The frame type.
    public static let frameType = "trace.send"

    /// The send it carries.
    public var send: SendRequest { SendRequest(to: to, body: body, clientMsgID: clientMsgID) }
}
