// LESSON 06 STARTER, generated from Solutions/IMSecurity/HttpDNSDirectory.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: the server half of HttpDNS — `GET /api/v1/dns?service=gateway`.
//
// The operating system's DNS answers from the resolver of whatever network the phone is on:
// it may be hijacked, stale, or point at a far-away node. HttpDNS asks our own service over HTTP
// (by a fixed IP address in production, so no system lookup is needed at all) and gets several
// addresses with a TTL. The client picks among them by measuring, not by trusting the order.

import Foundation
import Hummingbird
import IMCore
import NIOCore

/// Which addresses the directory hands out.
public struct HttpDNSConfiguration: Sendable, Hashable {
    /// Base URLs per service name. A `gateway` service that is not listed answers with the
    /// address the client itself used, so a single server works without any set-up.
    public var services: [String: [String]] = [:]
    /// How long clients may cache an answer. Short enough that a node taken out of the list
    /// stops getting new clients soon; long enough that clients do not ask on every connect.
    public var ttl: Duration = .seconds(60)

    public init(services: [String: [String]] = [:], ttl: Duration = .seconds(60)) {
        self.services = services
        self.ttl = ttl
    }
}

/// Answers HttpDNS queries from the configuration (later lessons fill it from live nodes).
public struct HttpDNSDirectory: Sendable {
    public static let defaultService = "gateway"
    public let configuration: HttpDNSConfiguration
    /// `https` when the server speaks TLS, used for the fallback answer.
    public let scheme: String

    public init(configuration: HttpDNSConfiguration = HttpDNSConfiguration(), scheme: String = "http") {
        self.configuration = configuration
        self.scheme = scheme
    }

    /// The answer for `service`; `authority` is the `host:port` the request was sent to.
    public func answer(service: String?, authority: String?) throws -> HttpDNSAnswer {
        guard let service, !service.isEmpty else {
            throw IMError.invalidArgument("`service` is required, e.g. ?service=\(Self.defaultService)")
        }
        let ttl = Int(configuration.ttl / .seconds(1))
        if let addresses = configuration.services[service], !addresses.isEmpty {
            return HttpDNSAnswer(service: service, addresses: addresses, ttl: ttl)
        }
        if service == Self.defaultService, let authority, !authority.isEmpty {
            return HttpDNSAnswer(service: service, addresses: ["\(scheme)://\(authority)"], ttl: ttl)
        }
        throw IMError.notFound("no service named `\(service)`")
    }

    /// Adds `GET /api/v1/dns`. No token is needed: clients resolve before they log in.
    /// `ordering` (lesson 10) puts the addresses in the order new clients should try them.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, ordering: (any HttpDNSOrdering)? = nil) {
        router.get("api/v1/dns") { request, _ in
            var answer = try self.answer(
                service: request.uri.queryParameters.get("service"), authority: request.head.authority)
            if let ordering {
                answer = HttpDNSAnswer(
                    service: answer.service, addresses: await ordering.order(answer.addresses, service: answer.service),
                    ttl: answer.ttl)
            }
            return try JSONResponse(answer)
        }
    }
}

/// Orders the addresses of an HttpDNS answer, for example least-loaded first (lesson 10). A
/// `ServerExtension` that conforms is asked by the server's `GET /api/v1/dns`.
public protocol HttpDNSOrdering: Sendable {
    /// The same addresses, in the order clients should prefer them.
    func order(_ addresses: [String], service: String) async -> [String]
}

/// A JSON answer in the gateway's style (`Content-Type: application/json; charset=utf-8`).
struct JSONResponse: ResponseGenerator {
    let body: ByteBuffer

    init(_ value: some Encodable & Sendable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        body = ByteBuffer(bytes: try encoder.encode(value))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}
