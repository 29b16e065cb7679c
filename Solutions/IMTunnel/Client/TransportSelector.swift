// Lesson 13: which transport a client uses — WebSocket when it works, the HTTP tunnel when not.
//
// A client cannot know in advance whether the network in front of it lets a WebSocket through:
// a corporate proxy may refuse the upgrade, a captive portal may answer everything with its
// own page, a carrier may cut long-lived flows. Trying one endpoint after another, each with
// its own time-out, makes a bad network slow to get through. So the client races them ("horse
// racing", like Happy Eyeballs for IPv4/IPv6): it starts the attempts a little apart, in order
// of preference, and keeps the first that completes its `hello`; the others are cancelled. A
// failed attempt lets the next one start at once. While it is on the tunnel, the client tries
// WebSocket again now and then, and moves back when it works.
//
// This is the pure state machine: time comes in as a parameter, actions come out as values.
// The client (`IMAdaptiveClient`) carries the actions out and reports the outcomes.

import CourseSupport

/// How a client talks to the server.
public enum TransportKind: String, Hashable, Sendable, Codable {
    case webSocket
    case tunnel
}

/// One way to reach the server: a transport at a base URL (`http://host:port`).
public struct TransportEndpoint: Hashable, Sendable, CustomStringConvertible {
    public let kind: TransportKind
    public let baseURL: String

    public init(_ kind: TransportKind, _ baseURL: String) {
        self.kind = kind
        self.baseURL = baseURL
    }

    public var description: String { "\(kind.rawValue)@\(baseURL)" }
}

/// The timings of the selector.
public struct TransportSelectorPolicy: Hashable, Sendable {
    /// Between the starts of two attempts of a race.
    public var stagger: Duration
    /// After every attempt of a race failed, before the next race.
    public var retryDelay: Duration
    /// While on the tunnel, how often WebSocket is tried again.
    public var reprobeInterval: Duration

    public init(
        stagger: Duration = .milliseconds(200), retryDelay: Duration = .seconds(1),
        reprobeInterval: Duration = .seconds(30)
    ) {
        self.stagger = stagger
        self.retryDelay = retryDelay
        self.reprobeInterval = reprobeInterval
    }
}

/// What the selector asks its driver to do.
public enum TransportSelectorAction: Hashable, Sendable {
    /// Start connecting to this endpoint (report `succeeded` or `failed`).
    case attempt(TransportEndpoint)
    /// Give this attempt up, or close its connection if it already completed.
    case cancel(TransportEndpoint)
    /// Use this endpoint's connection from now on; the one used before is closed.
    case adopt(TransportEndpoint)
}

/// Chooses among endpoints by racing them, and moves back to WebSocket when it can.
public struct TransportSelector: Sendable {
    /// Where the selector stands.
    public enum Phase: Hashable, Sendable {
        case idle
        /// Attempts are under way; none has completed.
        case racing
        /// A connection to this endpoint is in use.
        case connected(TransportEndpoint)
    }

    /// Every endpoint, in order of preference (WebSocket ones first).
    public let endpoints: [TransportEndpoint]
    public let policy: TransportSelectorPolicy
    public private(set) var phase: Phase = .idle
    /// Attempts started and not finished: entrants of a race and re-probes alike.
    public private(set) var inFlight: Set<TransportEndpoint> = []
    /// Entrants of the current race not started yet, in order.
    public private(set) var waiting: [TransportEndpoint] = []
    /// When `tick` has something to do: start the next entrant (racing, entrants waiting), start
    /// a new race (racing, every entrant failed), or probe WebSocket again (connected to a tunnel).
    public private(set) var nextDeadline: Duration?

    public init(endpoints: [TransportEndpoint], policy: TransportSelectorPolicy = TransportSelectorPolicy()) {
        self.endpoints = endpoints
        self.policy = policy
    }

    /// Starts the first race.
    public mutating func start(now: Duration) -> [TransportSelectorAction] {
        guard phase == .idle else { return [] }
        return beginRace(now: now)
    }

    /// Stops everything (the client is closing).
    public mutating func stop() -> [TransportSelectorAction] {
        defer {
            phase = .idle
            inFlight = []
            waiting = []
            nextDeadline = nil
        }
        return inFlight.sorted(by: Self.preference(endpoints)).map { .cancel($0) }
    }

    /// Does what is due at `now`.
    ///
    /// - Racing, entrants waiting: start the next one (`attempt`), the one after `stagger` later.
    /// - Racing, no entrant left and none in flight (all failed): start a new race.
    /// - Connected to a tunnel endpoint: `attempt` every WebSocket endpoint not in flight (a
    ///   re-probe); the next probe is scheduled when these fail.
    public mutating func tick(now: Duration) -> [TransportSelectorAction] {
        guard let deadline = nextDeadline, deadline <= now else { return [] }
        // BEGIN EXERCISE 13.3: Start the next staggered entrant; restart a race that every entrant lost; re-probe WebSocket while on the tunnel.
        switch phase {
        case .idle:
            nextDeadline = nil
            return []
        case .racing:
            guard !waiting.isEmpty else {
                if inFlight.isEmpty { return beginRace(now: now) }
                nextDeadline = nil  // the attempts in flight will report
                return []
            }
            let next = waiting.removeFirst()
            inFlight.insert(next)
            nextDeadline = waiting.isEmpty ? nil : now + policy.stagger
            return [.attempt(next)]
        case .connected(let current):
            guard current.kind == .tunnel else {
                nextDeadline = nil
                return []
            }
            let probes = endpoints.filter { $0.kind == .webSocket && !inFlight.contains($0) }
            inFlight.formUnion(probes)
            nextDeadline = nil
            return probes.map { .attempt($0) }
        }
        // STUB: _ = Exercise.notImplemented("13.3", expected: "racing: the next waiting endpoint attempted, the one after `stagger` later, a new race when all failed; on a tunnel: every WebSocket endpoint attempted again")
        // STUB: return []
        // END EXERCISE 13.3
    }

    /// An attempt completed its `hello`. The first of a race wins: it is adopted and the other
    /// attempts are cancelled. A WebSocket probe that succeeds while on the tunnel is adopted
    /// too. Anything else (a late loser) is cancelled, so its connection is closed.
    public mutating func succeeded(_ endpoint: TransportEndpoint, now: Duration) -> [TransportSelectorAction] {
        guard inFlight.remove(endpoint) != nil else { return [.cancel(endpoint)] }
        switch phase {
        case .racing:
            return adopt(endpoint, now: now)
        case .connected(let current) where current.kind == .tunnel && endpoint.kind == .webSocket:
            return adopt(endpoint, now: now)
        default:
            return [.cancel(endpoint)]
        }
    }

    /// An attempt failed. In a race the next entrant starts at once; when every entrant has
    /// failed, a new race starts after `retryDelay`. A failed re-probe is tried again after
    /// `reprobeInterval`.
    public mutating func failed(_ endpoint: TransportEndpoint, now: Duration) -> [TransportSelectorAction] {
        guard inFlight.remove(endpoint) != nil else { return [] }
        switch phase {
        case .racing:
            if !waiting.isEmpty {
                nextDeadline = now
                return tick(now: now)
            }
            if inFlight.isEmpty { nextDeadline = now + policy.retryDelay }
            return []
        case .connected(let current) where current.kind == .tunnel:
            if !inFlight.contains(where: { $0.kind == .webSocket }) { nextDeadline = now + policy.reprobeInterval }
            return []
        default:
            return []
        }
    }

    /// The connection in use ended: race again (attempts still in flight take part).
    public mutating func lost(_ endpoint: TransportEndpoint, now: Duration) -> [TransportSelectorAction] {
        guard phase == .connected(endpoint) else { return [] }  // an old connection, already replaced
        return beginRace(now: now)
    }

    // MARK: Helpers

    private mutating func beginRace(now: Duration) -> [TransportSelectorAction] {
        phase = .racing
        waiting = endpoints.filter { !inFlight.contains($0) }
        guard !waiting.isEmpty || !inFlight.isEmpty else {
            nextDeadline = nil  // nothing to race
            return []
        }
        // Attempts still in flight (a re-probe) get a head start of one stagger: a probe that
        // is about to complete must not be overtaken by a fresh attempt that would replace it.
        nextDeadline = inFlight.isEmpty ? now : now + policy.stagger
        return tick(now: now)
    }

    private mutating func adopt(_ endpoint: TransportEndpoint, now: Duration) -> [TransportSelectorAction] {
        let losers = inFlight.sorted(by: Self.preference(endpoints))
        phase = .connected(endpoint)
        inFlight = []
        waiting = []
        nextDeadline = endpoint.kind == .tunnel ? now + policy.reprobeInterval : nil
        return [.adopt(endpoint)] + losers.map { .cancel($0) }
    }

    /// Orders endpoints as listed (so that actions come out in a stable order).
    private static func preference(_ endpoints: [TransportEndpoint]) -> (TransportEndpoint, TransportEndpoint) -> Bool {
        { (endpoints.firstIndex(of: $0) ?? .max) < (endpoints.firstIndex(of: $1) ?? .max) }
    }
}
