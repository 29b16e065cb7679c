// Lesson 10: the live rooms of this gateway, at work — the state of `LiveRoomState` with the
// connections it writes to.
//
// Membership lives here, at the gateway, next to the connections: a batch for a room goes from
// this process straight to its sockets, and no other service is asked who is in the room. (With
// several gateways each keeps its own viewers of a room; a post is relayed once to every gateway
// that has viewers of the room, and each gateway merges and fans out on its own. See the lesson.)

import Foundation
import IMCore
import IMGateway
import NIOCore

/// One gateway's rooms and the connections of their viewers.
public actor RoomHub {
    private var state: LiveRoomState
    /// The sink of every connection in at least one room.
    private var sinks: [ConnectionID: any FrameSink] = [:]
    private var rate = ByteRate()
    private let origin = ContinuousClock.now
    /// Connections already told that this gateway drains.
    private var toldToReconnect: Set<ConnectionID> = []
    /// Batches encoded and frames written since the start (im-bench and tests read them).
    public private(set) var statistics = Statistics()

    public struct Statistics: Sendable, Hashable {
        public var ticks = 0
        public var batchesEncoded = 0
        public var framesWritten = 0
        public var bytesWritten = 0
    }

    public init(configuration: LiveRoomConfiguration = LiveRoomConfiguration()) {
        state = LiveRoomState(configuration: configuration)
    }

    public var configuration: LiveRoomConfiguration { state.configuration }

    /// Time since the hub started: the pure state machines count time from an origin.
    private var now: Duration { ContinuousClock.now - origin }

    // MARK: Requests

    public func create(_ room: RoomID, host: UserID) throws(IMError) -> RoomInfo {
        try state.create(room, host: host)
    }

    public func info(_ room: RoomID) -> RoomInfo? { state.info(room) }

    public func join(_ room: RoomID, connection: ConnectionID, user: UserID, sink: any FrameSink) throws(IMError)
        -> RoomInfo
    {
        let info = try state.join(room, connection: connection, user: user)
        sinks[connection] = sink
        return info
    }

    public func leave(_ room: RoomID, connection: ConnectionID) throws(IMError) -> RoomInfo {
        let info = try state.leave(room, connection: connection)
        if state.rooms(of: connection).isEmpty { sinks[connection] = nil }
        return info
    }

    public func post(_ request: RoomPostRequest, connection: ConnectionID, user: UserID) throws(IMError) -> RoomPosted {
        try state.post(request, connection: connection, user: user, now: now)
    }

    /// The connection closed: out of every room.
    public func disconnected(_ connection: ConnectionID) {
        state.disconnected(connection)
        sinks[connection] = nil
        toldToReconnect.remove(connection)
    }

    /// Who is in which room (tests).
    public var memberships: [ConnectionID: Set<RoomID>] { state.memberships }

    // MARK: The tick

    /// Merges and sends one tick of every room. Each batch is encoded once; its bytes are written
    /// to every recipient without another encoding.
    public func tick() {
        let now = now
        let sinks = sinks
        // Encoding our own payload types cannot fail; a batch that somehow did is not sent.
        let output = state.tick(now: now, pendingBytes: { sinks[$0]?.outboundBytesPending ?? 0 }) { batch in
            try? EncodedFrame(type: "room.batch", ref: nil, payload: batch)
        }
        var frames = 0
        var bytes = 0
        for delivery in output.deliveries {
            for recipient in delivery.recipients {
                guard let sink = sinks[recipient.connection] else { continue }
                if let missed = recipient.missed, let frame = try? EncodedFrame(type: "room.missed", payload: missed) {
                    sink.send(frame)
                    frames += 1
                    bytes += frame.bytes.readableBytes
                }
                if let batch = delivery.encoded {
                    sink.send(batch)
                    frames += 1
                    bytes += batch.bytes.readableBytes
                }
                if let own = recipient.own, let frame = try? EncodedFrame(type: "room.own", payload: own) {
                    sink.send(frame)
                    frames += 1
                    bytes += frame.bytes.readableBytes
                }
            }
        }
        for connection in output.disconnects {
            sinks[connection]?.close(
                reason: "too slow for the live room: missed every batch for \(configuration.maxStuck)")
            self.sinks[connection] = nil
        }
        rate.record(bytes, at: now)
        statistics.ticks += 1
        statistics.batchesEncoded += output.deliveries.count
        statistics.framesWritten += frames
        statistics.bytesWritten += bytes
    }

    // MARK: Load and draining

    /// This gateway's load, with the connection count of its session map.
    public func load(connections: Int, draining: Bool) -> GatewayLoad {
        let counts = state.counts
        return GatewayLoad(
            connections: connections, rooms: counts.rooms, viewers: counts.viewers,
            outboundBytesPerSecond: rate.perSecond(at: now), draining: draining)
    }

    /// The gateway drains: tell every viewer (once) to reconnect elsewhere and join its rooms there.
    public func tellViewersToReconnect() {
        for (connection, sink) in sinks where !toldToReconnect.contains(connection) {
            toldToReconnect.insert(connection)
            let notice = RoomReconnect(
                rooms: state.rooms(of: connection).sorted(),
                reason: "this gateway is shutting down; resolve the gateways and join again")
            if let frame = try? EncodedFrame(type: "room.reconnect", payload: notice) { sink.send(frame) }
        }
    }
}
