// Lesson 06: the HttpDNS resolver over real HTTP — answers from `GET /api/v1/dns`, probes by `GET /health`.

import IMSecurity
import NIOCore

extension HttpDNSResolver {
    /// A resolver that asks HttpDNS servers and probes addresses with `IMHTTPClient`.
    /// - Parameters:
    ///   - tls: for `https` addresses: the roots to trust and the key pins.
    ///   - timeout: an address that has not answered `/health` by then counts as unreachable, and
    ///     an HttpDNS server that has not answered is skipped. (AsyncHTTPClient keeps retrying a
    ///     refused connection until the deadline, so a dead node costs the whole timeout: keep it short.)
    public static func live(
        configuration: Configuration, tls: ClientTLS? = nil, timeout: Duration = .seconds(2)
    ) -> HttpDNSResolver {
        let timeout = TimeAmount.milliseconds(Int64(timeout / .milliseconds(1)))
        @Sendable func client(_ baseURL: String) throws -> IMHTTPClient {
            try tls.map { try IMHTTPClient(baseURL: baseURL, tls: $0) } ?? IMHTTPClient(baseURL: baseURL)
        }
        return HttpDNSResolver(
            configuration: configuration,
            lookup: { server, service in try await client(server).resolve(service: service, timeout: timeout) },
            probe: { address in try await client(address).health(timeout: timeout) })
    }
}
