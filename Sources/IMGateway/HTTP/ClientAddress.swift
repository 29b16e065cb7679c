// LESSON 03 STARTER, generated from Solutions/IMGateway/HTTP/ClientAddress.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 12: whose request is it? The address limits count per client, so they need the client's
// address, not the load balancer's.
//
// Behind nginx or haproxy every request comes from the proxy's address, and the client's is in
// `X-Forwarded-For` (each proxy appends the address it got the request from). Anyone can send
// that header, so it is believed only from proxies the operator names, and read from the right:
// the last entry was written by our own proxy, entries further left by whoever came before it.

import Foundation

/// Resolves a request's client address from its peer address and `X-Forwarded-For`.
public struct ClientAddress: Sendable, Hashable {
    /// Addresses of the operator's own proxies, whose `X-Forwarded-For` is believed.
    public let trustedProxies: Set<String>

    public init(trustedProxies: Set<String> = []) {
        self.trustedProxies = trustedProxies
    }

    /// The client's address: `peer` itself unless it is a trusted proxy; then the right-most
    /// entry of `forwardedFor` that is not a trusted proxy (the left-most, when all are).
    public func resolve(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !hops.isEmpty else { return peer }
        return hops.last(where: { !trustedProxies.contains($0) }) ?? hops.first
    }
}
