// Test support: a stand-in for a later lesson, to check the seam of lesson 11's server
// (`ServerExtension`): one route, one frame handler and one service, each observable.

import Hummingbird
import IMCore
import IMGateway
import ServiceLifecycle
import Synchronization

/// A later lesson in miniature. `GET /probe` answers `probe`; a `send` whose body is
/// `ProbeExtension.refusedBody` is refused with `forbidden` before the logic layer sees it; a
/// service records that it ran and that it stopped.
public struct ProbeExtension: ServerExtension {
    public static let refusedBody = "refused by the probe"

    /// What the probe's service has seen.
    public struct ServiceLog: Sendable, Equatable {
        public var started = false
        public var stopped = false

        public init(started: Bool = false, stopped: Bool = false) {
            self.started = started
            self.stopped = stopped
        }
    }

    private let shared: SharedLog

    public init() {
        shared = SharedLog()
    }

    public var name: String { "probe" }

    /// The service's record so far.
    public var serviceLog: ServiceLog { shared.value }

    public var frameHandlers: [any FrameHandler] { [RefusingHandler()] }

    public func addRoutes(to router: Router<IMRequestContext>, context: ServerExtensionContext) {
        router.get("probe") { _, _ in "probe" }
    }

    public func makeServices(context: ServerExtensionContext) -> [any Service] { [ProbeService(log: shared)] }

    /// Refuses one body, passes everything else on.
    struct RefusingHandler: FrameHandler {
        func handle(_ frame: ClientFrame, from identity: Identity, connection: ConnectionID) async -> FrameHandling {
            guard case .send(let id, let request) = frame, request.body == ProbeExtension.refusedBody else { return .passed }
            return .handled(reply: .error(ref: id, .forbidden("the probe refuses this body")))
        }
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
