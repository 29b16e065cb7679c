// LESSON 19 STARTER, generated from Solutions/IMObservability/TracedDeliveryHandler.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 19: the last word on a `send`: lesson 01's send, with its store and pushes observed.
//
// `ChatService.send` stores, then pushes each member's entry. It is asked here on a copy of the
// server's ChatService whose store and pusher are wrapped (`ObservedTimelineStore`,
// `ObservedPusher`): the logic stays lesson 01's, and the store transaction and every push of the
// fan-out get a span (children of the gateway's, found in the task-local context) and metrics.
// This handler comes last in the composition, after every lesson that may refuse or own a frame.

import CoreMetrics
import IMCore
import IMGateway
import Logging
import Tracing

/// Answers `send` frames through the observed ChatService.
struct TracedDeliveryHandler: FrameHandler {
    let chat: ChatService
    let tracer: MessageTracer
    let logger: Logger

    init(chat: ChatService, metrics: ServerMetrics, tracer: MessageTracer, logger: Logger) {
        self.chat = ChatService(
            store: ObservedTimelineStore(base: chat.store, metrics: metrics, tracer: tracer), accounts: chat.accounts,
            pusher: ObservedPusher(base: chat.pusher, metrics: metrics, tracer: tracer), limits: chat.limits, now: chat.now)
        self.tracer = tracer
        self.logger = logger
    }

    func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
        guard case .send(let id, let request) = frame else { return .passed }
        do {
            let message = try await chat.send(request, from: identity.userID)
            await tracer.withChildSpan("im.ack", kind: .producer) { span in
                span.attributes["im.message.id"] = message.id.description
                if let seq = message.seq { span.attributes["im.message.seq"] = Int(seq) }
            }
            if let trace = MessageTracer.current {
                // One line per hop of a traced message carries its trace id (grep a trace in the logs).
                logger.debug(
                    "message acknowledged",
                    metadata: ["trace_id": "\(trace.traceID)", "message_id": "\(message.id)", "user_id": "\(identity.userID)"])
            }
            return .handled(reply: .ack(ref: id, message))
        } catch {
            return .handled(reply: .error(ref: id, IMError(describing: error)))
        }
    }
}

/// The server's store, with the store transaction of a send timed, counted and traced.
struct ObservedTimelineStore: TimelineStore {
    let base: any TimelineStore
    let metrics: ServerMetrics
    let tracer: MessageTracer

    func store(_ message: OutgoingMessage, sentAt: Int64) async throws -> StoredMessage {
        let start = ContinuousClock.now
        do {
            let stored = try await tracer.withChildSpan("im.store", kind: .client) { span in
                let stored = try await base.store(message, sentAt: sentAt)
                span.attributes["db.system"] = "sqlite"
                span.attributes["db.operation"] = "store message"
                span.attributes["im.message.id"] = stored.message.id.description
                span.attributes["im.conversation.id"] = stored.message.conversationID.description
                span.attributes["im.store.repeat"] = stored.isRepeat
                return stored
            }
            metrics.storeDuration.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
            if !stored.isRepeat { metrics.pushFanout.record(stored.entries.count) }
            return stored
        } catch {
            metrics.storeErrors.increment()
            throw error
        }
    }

    func markRead(_ conversation: ConversationID, by user: UserID, upTo seq: Int64?) async throws
        -> (receipt: ReadReceipt, entry: TimelineEntry)
    {
        try await base.markRead(conversation, by: user, upTo: seq)
    }

    func timeline(of user: UserID, after version: Int64, limit: Int) async throws -> TimelinePage {
        try await base.timeline(of: user, after: version, limit: limit)
    }

    func headVersion(of user: UserID) async throws -> Int64 { try await base.headVersion(of: user) }

    func messages(in conversation: ConversationID, for user: UserID, seqAfter after: Int64, through: Int64, limit: Int)
        async throws -> [Message]
    {
        try await base.messages(in: conversation, for: user, seqAfter: after, through: through, limit: limit)
    }

    func append(_ message: OutgoingMessage, sentAt: Int64) async throws -> Message {
        try await base.append(message, sentAt: sentAt)
    }

    func history(of conversation: ConversationID, for user: UserID, before: MessageID?, limit: Int) async throws
        -> HistoryPage
    {
        try await base.history(of: conversation, for: user, before: before, limit: limit)
    }

    func messages(for user: UserID, after: MessageID, limit: Int) async throws -> [Message] {
        try await base.messages(for: user, after: after, limit: limit)
    }

    func latestMessageID(for user: UserID) async throws -> MessageID { try await base.latestMessageID(for: user) }

    func recentContacts(of user: UserID, limit: Int) async throws -> [ContactRow] {
        try await base.recentContacts(of: user, limit: limit)
    }
}

/// The gateway's pusher, with each push of the fan-out counted and (downlink sampling) traced.
struct ObservedPusher: TimelinePusher {
    let base: any TimelinePusher
    let metrics: ServerMetrics
    let tracer: MessageTracer

    func push(_ entry: TimelineEntry, to user: UserID) async {
        metrics.pushes.increment()
        await tracer.withChildSpan("im.push", kind: .producer, direction: .downlink, user: user) { span in
            span.attributes["im.push.user.id"] = Int(user.rawValue)
            span.attributes["im.timeline.version"] = Int(entry.version)
            await base.push(entry, to: user)
        }
    }
}
