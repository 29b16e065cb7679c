// Lesson 12: flow control and circuit breaking, joined to the server as a `ServerExtension`.
//
// It adds one frame handler, ahead of every other lesson's (it is first in the composition), so
// every frame on every transport (WebSocket, lesson 13's tunnel) passes its limits; and one
// request gate, which limits per client address what comes before any frame: new connections,
// registrations, logins (`RouteLimit`). Failed logins per account (lesson 03's LoginThrottle) and
// open connections per address (lesson 03's ConnectionLimits) stay where they are.

import IMGateway

/// Per-user send limits, an adaptive concurrency limit with priorities, and a circuit breaker.
public struct Resilience: ServerExtension {
    public var name: String { "resilience" }

    public let configuration: ResilienceConfiguration
    /// The limiters and what they refused (shared by every connection of the server).
    public let gate: ResilienceGate

    /// The route limits per client address, checked before any route or upgrade.
    public let addresses: AddressGate

    public init(configuration: ResilienceConfiguration = ResilienceConfiguration()) {
        self.configuration = configuration
        gate = ResilienceGate(configuration: configuration)
        addresses = AddressGate(limits: configuration.perAddress, maxAddresses: configuration.maxAddresses)
    }

    public func frameHandlers(gateway: Gateway) -> [any FrameHandler] {
        [FlowControlHandler(gate: gate, coreFrameTypes: gateway.coreFrameTypes)]
    }

    public var requestGates: [any RequestGate] {
        configuration.perAddress.isEmpty ? [] : [addresses]
    }
}
