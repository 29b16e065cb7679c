// LESSON 03 STARTER, generated from Solutions/IMGateway/WebSocket/WebSocketHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: the WebSocket's frames, as NIO events, handed to its connection.
//
// This handler is the last in the pipeline of an upgraded connection (after NIO's frame decoder,
// its protocol-error handler and the fragment aggregator). It runs on the connection's event
// loop, so it must never wait: anything slow is the connection's request task's business.

import IMCore
import NIOCore
import NIOWebSocket

/// Feeds one connection's WebSocket frames to its `WebSocketConnection`.
final class WebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame

    let connection: WebSocketConnection

    init(connection: WebSocketConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection.start()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        var keepReading = true
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            keepReading = connection.received(text: payload.readBytes(length: payload.readableBytes) ?? [])
        case .binary:
            keepReading = connection.receivedBinary()
        case .ping:
            connection.receivedPing(frame.unmaskedData)
        case .connectionClose:
            connection.receivedClose(frame.unmaskedData)
        default:
            break  // pongs (we send no pings); continuations are joined by the aggregator
        }
        if !keepReading { connection.pauseReading() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The client caught up (or fell behind): fan-outs read the new figure.
        connection.noteOutboundBytesPending()
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.channelClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The aggregator's errors: a message joined from too many or too large fragments.
        if error is NIOWebSocketFrameAggregator.Error {
            connection.close(.messageTooLarge, reason: "message too large")
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            connection.close(.goingAway, reason: "server is shutting down; reconnect shortly")
        }
        context.fireUserInboundEventTriggered(event)
    }
}
