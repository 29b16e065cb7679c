// A stand-in for a carrier NAT on loopback: a TCP relay that silently forgets idle flows.
//
// Clients connect to `port`; each connection is relayed to the target. A flow whose last packet
// (either direction) is older than `idleLimit` is forgotten, as a NAT drops its mapping: from then
// on its bytes go nowhere, in both directions, and no FIN or RST is sent to anyone. Both ends
// keep an open socket and hear nothing — exactly what a phone behind a NAT experiences.

import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP relay that drops flows idle for longer than `idleLimit`, without telling anyone.
public final class NATStandIn: Sendable {
    public let port: Int
    public let idleLimit: Duration
    private let listener: any Channel
    private let flows: FlowTable

    /// Listens on a free loopback port and relays to `targetPort` on 127.0.0.1.
    public init(targetPort: Int, idleLimit: Duration) async throws {
        let flows = FlowTable()
        self.flows = flows
        self.idleLimit = idleLimit
        listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let flow = Flow(idleLimit: idleLimit, client: inbound)
                flows.add(flow)
                return ClientBootstrap(group: inbound.eventLoop)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture {
                            try outbound.pipeline.syncOperations.addHandler(RelayHandler(flow: flow, partner: inbound))
                        }
                    }
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        flow.setServer(outbound)
                        return inbound.eventLoop.makeCompletedFuture {
                            try inbound.pipeline.syncOperations.addHandler(RelayHandler(flow: flow, partner: outbound))
                        }
                        .flatMap { inbound.setOption(.autoRead, value: true) }
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        port = listener.localAddress?.port ?? 0
    }

    /// How many flows the NAT has forgotten so far.
    public var droppedFlows: Int { flows.all.filter(\.isDead).count }

    /// Forgets every current flow at once (the path died: a lift, a tunnel, a network switch).
    public func dropAllFlows() {
        for flow in flows.all { flow.kill() }
    }

    /// Stops listening and closes every relayed connection.
    public func shutdown() async {
        try? await listener.close()
        for flow in flows.all { flow.closeBoth() }
    }
}

/// Every flow the stand-in relayed.
final class FlowTable: Sendable {
    private let flows = Mutex<[Flow]>([])

    func add(_ flow: Flow) { flows.withLock { $0.append(flow) } }
    var all: [Flow] { flows.withLock { $0 } }
}

/// One relayed connection and the NAT's memory of it.
final class Flow: Sendable {
    private struct State {
        var lastPacket = ContinuousClock.now
        var dead = false
        var server: (any Channel)?
    }

    let idleLimit: Duration
    let client: any Channel
    private let state = Mutex(State())

    init(idleLimit: Duration, client: any Channel) {
        self.idleLimit = idleLimit
        self.client = client
    }

    var isDead: Bool { state.withLock { $0.dead } }

    func setServer(_ channel: any Channel) { state.withLock { $0.server = channel } }

    /// A packet wants through now: passes (and refreshes the mapping) unless the flow is forgotten.
    func admit() -> Bool {
        state.withLock { state in
            let now = ContinuousClock.now
            if !state.dead, now - state.lastPacket > idleLimit { state.dead = true }
            if state.dead { return false }
            state.lastPacket = now
            return true
        }
    }

    func kill() { state.withLock { $0.dead = true } }

    func closeBoth() {
        client.close(promise: nil)
        state.withLock { $0.server }?.close(promise: nil)
    }
}

/// Moves bytes from its channel to the partner, if the flow lets them through.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let flow: Flow
    let partner: any Channel

    init(flow: Flow, partner: any Channel) {
        self.flow = flow
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        // A forgotten flow swallows packets: nothing is forwarded, nothing is answered.
        guard flow.admit() else { return }
        partner.writeAndFlush(bytes, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // While the NAT knows the flow, a close passes through; after, it goes nowhere.
        if !flow.isDead { partner.close(promise: nil) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
