// Lesson 03: one WebSocket connection, from hello to close.
//
// Reading and writing run as two child tasks: the reader turns frames into calls on the logic
// layer, the writer drains the connection's outbound queue (answers and pushes alike). The
// connection is in the session map from its hello until the writer has sent a close or either
// task has ended.

import HummingbirdWebSocket
import IMCore
import Logging
import NIOWebSocket

/// Serves `/ws` connections of authenticated users.
struct WebSocketEndpoint: Sendable {
    let chat: ChatService
    let registry: SessionRegistry
    let configuration: GatewayConfiguration
    let pushTracking: (any PushTrackerFactory)?
    let observer: (any ConnectionObserver)?
    let codec: FrameCodec

    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, identity: Identity, logger: Logger
    ) async {
        let connection = await registry.makeConnectionID()
        let (queue, items) = OutboundQueue.make()
        let tracker = pushTracking?.makeTracker(
            send: { queue.send($0) },
            giveUp: { reason in queue.close(.policyViolation, reason: reason) })
        let sink: any FrameSink = tracker.map { TrackedSink(queue: queue, tracker: $0) } ?? queue
        var connectionLogger = logger
        connectionLogger[metadataKey: "connection"] = "\(connection)"
        connectionLogger[metadataKey: "user"] = "\(identity.userID)"
        let logger = connectionLogger

        do {
            // Hello is queued before the entry is registered, so it is the first frame on the wire.
            queue.send(.hello(try await FrameResponder(chat: chat).hello(for: identity)))
            let entry = SessionEntry(connection: connection, device: identity.deviceID, sink: sink)
            if let replaced = await registry.register(entry, for: identity.userID) {
                replaced.sink.close(reason: "replaced by a newer connection of the same device")
            }
            observer?.opened(connection) { reason in queue.close(.goingAway, reason: reason) }
        } catch {
            queue.send(.error(ref: nil, IMError(describing: error)))
            queue.close(.unexpectedServerError, reason: "could not open the session")
        }

        let registry = registry
        let observer = observer
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await Self.write(items, to: outbound, codec: codec, logger: logger)
                tracker?.close()
                // The close is sent: the connection leaves the session map now. A dead peer (the
                // reason for many closes) never answers the close, and its socket lingers until
                // TCP gives up on the unacknowledged bytes; nothing is pushed into it meanwhile.
                // (Cancelling the reader instead would cut the library's close handshake short.)
                await registry.unregister(connection, device: identity.deviceID, of: identity.userID)
                observer?.closed(connection)
            }
            group.addTask {
                await read(inbound, queue: queue, tracker: tracker, identity: identity, connection: connection, logger: logger)
                queue.finish()
            }
            if let tracker {
                group.addTask { await tracker.run() }
            }
        }
        await registry.unregister(connection, device: identity.deviceID, of: identity.userID)
        observer?.closed(connection)
        logger.debug("websocket closed")
    }

    /// Reads frames until the client goes away or breaks the protocol.
    private func read(
        _ inbound: WebSocketInboundStream, queue: OutboundQueue, tracker: (any PushTracker)?, identity: Identity,
        connection: ConnectionID, logger: Logger
    ) async {
        do {
            // The library refuses messages far above our limit; ours gives the client a clear error first.
            for try await message in inbound.messages(maxSize: configuration.maxFrameBytes * 4) {
                guard case .text(let text) = message else {
                    observer?.received(on: connection)
                    queue.send(.error(ref: nil, .badFrame("binary frames are not supported; send JSON text frames")))
                    continue
                }
                observer?.received(on: connection)
                let bytes = Array(text.utf8)
                if bytes.count > configuration.maxFrameBytes {
                    queue.send(
                        .error(
                            ref: nil,
                            IMError(
                                .frameTooLarge,
                                "frame of \(bytes.count) bytes exceeds the limit of \(configuration.maxFrameBytes)")))
                    queue.close(.messageTooLarge, reason: "frame too large")
                    return
                }
                let frame: ClientFrame
                do {
                    frame = try codec.decodeClientFrame(bytes)
                } catch {
                    queue.send(.error(ref: nil, IMError(describing: error)))
                    continue
                }
                if case .pushAck(let pushID) = frame {
                    // An ACK of a push is not a request: nothing is answered.
                    tracker?.acknowledge(pushID)
                    continue
                }
                if let reply = await answer(frame, from: identity, connection: connection) { queue.send(reply) }
            }
        } catch {
            logger.debug("websocket read ended", metadata: ["error": "\(error)"])
        }
    }

    /// Carries out one request and returns the frame that answers it (nil for frames never answered).
    func answer(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> ServerFrame? {
        await FrameResponder(chat: chat).answer(frame, from: identity, connection: connection)
    }

    /// Writes queued frames in order; ends at a close or when the queue finishes.
    private static func write(
        _ items: AsyncStream<OutboundItem>, to outbound: WebSocketOutboundWriter, codec: FrameCodec, logger: Logger
    ) async {
        do {
            for await item in items {
                switch item {
                case .frame(let frame):
                    try await outbound.write(.text(codec.encode(frame)))
                case .close(let code, let reason):
                    try await outbound.close(code, reason: reason)
                    return
                }
            }
        } catch {
            logger.debug("websocket write ended", metadata: ["error": "\(error)"])
        }
    }
}
