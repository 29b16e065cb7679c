// Test support: a stand-in for a later lesson, to check the seam of lesson 11's server
// (`ServerExtension`): one route, one frame handler and one service, each observable.

import Hummingbird
import IMCore
import IMGateway
import ServiceLifecycle
import Synchronization

/// A later lesson in miniature. `GET /probe` answers `probe`; a `send` whose body is
/// `ProbeExtension.refusedBody` is refused with `forbidden` before the logic layer sees it; a
/// `probe.echo` frame is answered with `probe.echoed` (its data back) after a `probe.notice`
/// written, encoded once, to the connection it came over; a service records that it ran and that
/// it stopped, and an observer counts the WebSocket connections that closed.
public struct ProbeExtension: ServerExtension {
    public static let refusedBody = "refused by the probe"

    /// What the probe's service has seen.
    public struct ServiceLog: Sendable, Equatable {
        public var started = false
        public var stopped = false
        public var closedConnections = 0

        public init(started: Bool = false, stopped: Bool = false, closedConnections: Int = 0) {
            self.started = started
            self.stopped = stopped
            self.closedConnections = closedConnections
        }
    }

    private let shared: SharedLog

    public init() {
        shared = SharedLog()
    }

    public var name: String { "probe" }

    /// The service's record so far.
    public var serviceLog: ServiceLog { shared.value }

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [RefusingHandler(), EchoHandler(registry: gateway.registry)]
    }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        router.get("probe") { _, _ in "probe" }
        context.gateway.connectionEvents.add(ClosedCounter(log: shared))
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] { [ProbeService(log: shared)] }

    /// Refuses one body, passes everything else on.
    struct RefusingHandler: FrameHandler {
        func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
            guard case .send(let id, let request) = frame, request.body == ProbeExtension.refusedBody else { return .passed }
            return .handled(reply: .error(ref: id, .forbidden("the probe refuses this body")))
        }
    }

    /// Answers `probe.echo`: first a notice, encoded once, written straight to the connection the
    /// frame came over; then the frame's data back as `probe.echoed`.
    struct EchoHandler: FrameHandler {
        let registry: SessionRegistry

        func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
            guard case .extension(let request) = frame, request.type == "probe.echo" else { return .passed }
            if let entry = await registry.entry(connection, of: identity.userID),
                let notice = try? EncodedFrame(type: "probe.notice", payload: ["connection": "\(connection)"])
            {
                entry.sink.send(notice)
            }
            return .handled(reply: .extension(type: "probe.echoed", ref: request.id, data: request.data))
        }
    }

    /// Counts the WebSocket connections that ended.
    struct ClosedCounter: ConnectionObserver {
        let log: SharedLog

        func opened(_ connection: ConnectionID, close: @escaping @Sendable (String) -> Void) {}
        func received(on connection: ConnectionID) {}
        func closed(_ connection: ConnectionID) { log.update { $0.closedConnections += 1 } }
    }

    /// Runs until the graceful shutdown, and says so.
    struct ProbeService: Service {
        let log: SharedLog

        func run() async throws {
            log.update { $0.started = true }
            try? await gracefulShutdown()
            log.update { $0.stopped = true }
        }
    }

    /// The log, shared by the extension value and its service.
    final class SharedLog: Sendable {
        private let state = Mutex(ServiceLog())
        var value: ServiceLog { state.withLock { $0 } }
        func update(_ change: (inout ServiceLog) -> Void) { state.withLock { change(&$0) } }
    }
}
