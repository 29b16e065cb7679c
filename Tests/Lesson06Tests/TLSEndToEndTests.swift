// Lesson 06 tests, part 3: TLS through the real server on loopback, with certificates made here.

import Foundation
import IMClient
import IMComposition
import IMCore
import IMSecurity
import IMServer
import IMStore
import IMTestSupport
import NIOCore
import Testing

@Suite("06 TLS end to end", .serialized)
struct TLSEndToEndTests {
    /// Runs `body` against a server that serves TLS with `certificate`.
    func withTLSServer<T>(
        _ certificate: LocalCertificateAuthority.Issued, _ body: (TestServer) async throws -> T
    ) async throws -> T {
        try await withTestServer(configure: { $0.tls = certificate.serverTLS }, body)
    }

    @Test("HTTPS and WSS work for a client that trusts the CA; the pinned key is accepted (06.1)")
    func trustedServerWorks() async throws {
        let ca = try LocalCertificateAuthority()
        let certificate = try ca.issue()
        try await withTLSServer(certificate) { server in
            #expect(server.baseURL.hasPrefix("https://"))
            let tls = ClientTLS(trustedRootsPEM: try ca.rootPEM(), pins: [try certificate.pin()])
            let anonymous = try IMHTTPClient(baseURL: server.baseURL, tls: tls)
            let alice = anonymous.authenticated(
                try await anonymous.register(username: uniqueUsername("alice"), password: "password123"))
            let bobCredentials = try await anonymous.register(username: uniqueUsername("bob"), password: "password123")
            let bobSocket = try await IMWebSocketClient.connect(
                baseURL: server.baseURL, token: bobCredentials.token, tls: tls)
            let sent = try await alice.send(to: bobCredentials.user.id, body: "over TLS", clientMsgID: "t1")
            #expect(try await bobSocket.nextPushedMessage() == sent, "the push arrives over WSS")
            bobSocket.close()
        }
    }

    @Test("a TLS server stops gracefully while a client keeps an idle connection open")
    func gracefulShutdownWithIdleTLSConnections() async throws {
        let ca = try LocalCertificateAuthority()
        let certificate = try ca.issue()
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path) { $0.tls = certificate.serverTLS }
            let client = try IMHTTPClient(baseURL: server.baseURL, tls: ClientTLS(trustedRootsPEM: try ca.rootPEM()))
            try await client.health()  // leaves a kept-alive TLS connection in the client's pool
            #expect(await server.stop(), "stopped within 5 s without being forced")
        }
    }

    @Test("a certificate for another host name, an expired one, or one from an unknown CA is refused; nothing is sent")
    func badCertificatesAreRefused() async throws {
        let ca = try LocalCertificateAuthority()
        let trustingClient = ClientTLS(trustedRootsPEM: try ca.rootPEM())
        let username = uniqueUsername("mallory")
        let cases: [(String, LocalCertificateAuthority.Issued)] = [
            ("wrong host name", try ca.issue(hosts: ["im.example.org"])),
            ("expired", try ca.issue(notValidBefore: Date() - 10 * 86_400, notValidAfter: Date() - 86_400)),
            ("untrusted CA", try LocalCertificateAuthority(name: "someone else").issue()),
        ]
        for (what, certificate) in cases {
            try await withTLSServer(certificate) { server in
                let client = try IMHTTPClient(baseURL: server.baseURL, tls: trustingClient)
                let body = Array(#"{"username":"\#(username)","password":"password123"}"#.utf8)
                await #expect(throws: (any Error).self, "HTTPS to a server with a certificate that is \(what)") {
                    _ = try await client.raw("POST", "/api/v1/register", body: body, timeout: .seconds(3))
                }
                await #expect(throws: (any Error).self, "WSS to a server with a certificate that is \(what)") {
                    _ = try await IMWebSocketClient.connect(
                        baseURL: server.baseURL, token: "x", tls: trustingClient, timeout: .seconds(3))
                }
                await #expect(throws: SecurityError.self, "the pin check's own handshake fails too (\(what))") {
                    try await PinnedHandshake.check(host: "localhost", port: server.port, tls: trustingClient)
                }
                // Nothing reached the server: the account was never created.
                #expect(try await server.server.store.account(username: username) == nil, "nothing was sent (\(what))")
            }
        }
    }

    @Test("a valid certificate whose key is not the pinned one is refused before any request")
    func pinMismatchIsRefused() async throws {
        let ca = try LocalCertificateAuthority()
        let served = try ca.issue()
        let other = try ca.issue()
        try await withTLSServer(served) { server in
            let pinned = ClientTLS(trustedRootsPEM: try ca.rootPEM(), pins: [try other.pin()])
            let username = uniqueUsername("pinned")
            let client = try IMHTTPClient(baseURL: server.baseURL, tls: pinned)
            await Self.expectPinMismatch("HTTPS with a pin of another key") {
                _ = try await client.register(username: username, password: "password123")
            }
            await Self.expectPinMismatch("WSS with a pin of another key") {
                _ = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: "x", tls: pinned)
            }
            #expect(try await server.server.store.account(username: username) == nil, "nothing was sent")
            // A backup pin next to the right one is fine: keys can be rotated without a new client.
            let withBackup = ClientTLS(trustedRootsPEM: try ca.rootPEM(), pins: [try other.pin(), try served.pin()])
            _ = try await IMHTTPClient(baseURL: server.baseURL, tls: withBackup).register(
                username: username, password: "password123")
        }
    }

    static func expectPinMismatch(_ what: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("\(what): expected a pin mismatch, but it went through")
        } catch let error as SecurityError {
            #expect(error.code == .pinMismatch, "\(what): \(error)")
        } catch {
            Issue.record("\(what): expected a pin mismatch, got \(error)")
        }
    }

    @Test("plaintext HTTP on the TLS port gets no HTTP answer and the connection is closed")
    func plaintextIsNotServed() async throws {
        let ca = try LocalCertificateAuthority()
        try await withTLSServer(try ca.issue()) { server in
            let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let received = try await plainExchange(port: server.port, sending: request)
            guard let received else {
                Issue.record("the server kept a plaintext connection open")
                return
            }
            #expect(!received.starts(with: Array("HTTP/".utf8)), "no HTTP answer in clear")
            #expect(
                !String(decoding: received, as: UTF8.self).contains("\"status\""), "nothing of /health served in clear")
            // And a plain ws:// client gets no WebSocket.
            await #expect(throws: (any Error).self) {
                _ = try await IMWebSocketClient.connect(
                    baseURL: "http://127.0.0.1:\(server.port)", token: "x", timeout: .seconds(2))
            }
        }
    }

    @Test("a certificate file that is not PEM stops the server at start with a clear error")
    func badCertificateStopsTheStart() throws {
        let tls = ServerTLS(certificateChainPEM: "not a certificate", privateKeyPEM: "not a key")
        #expect(throws: SecurityError.self) { try tls.makeConfiguration() }
        let ca = try LocalCertificateAuthority()
        let one = try ca.issue()
        let another = try ca.issue()
        let mismatched = ServerTLS(certificateChainPEM: one.certificatePEM, privateKeyPEM: another.privateKeyPEM)
        #expect(throws: SecurityError.self, "a key that does not belong to the certificate") {
            try mismatched.makeConfiguration()
        }
    }
}
