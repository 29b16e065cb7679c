// Lesson 06 tests, part 4: signed tokens through the real server — refused when forged or
// expired (401, the documented error shape, nothing changed), revoked by logout, renewed on reconnect.

import Foundation
import IMClient
import IMCore
import IMSecurity
import IMServer
import IMTestSupport
import Testing

@Suite("06 session tokens end to end", .serialized)
struct TokenEndToEndTests {
    /// The claims of a token the server issued, read with the server's own key.
    static func claims(of token: String, on server: TestServer) throws -> TokenClaims {
        try server.server.tokenFormat.verify(token, now: currentMilliseconds())
    }

    @Test("login hands out a signed token naming the user and device; it works for HTTP and WebSocket")
    func issuedTokensAreSigned() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice", deviceID: "laptop")
            let claims = try Self.claims(of: alice.credentials.token, on: server)
            #expect(claims.uid == alice.id.rawValue && claims.dev == "laptop")
            #expect(claims.exp > claims.iat, "the token expires")
            #expect(try await alice.http.me().id == alice.id)
            let socket = try await server.connect(alice)
            #expect(socket.hello.token == nil, "a new token is not renewed")
            socket.close()
        }
    }

    @Test("a tampered or forged token gets 401 in the error shape and changes nothing")
    func forgedTokensAreRefused() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            // Mallory edits bob's token to say it is alice's: the signature no longer matches.
            let parts = bob.credentials.token.split(separator: ".").map(String.init)
            var claims = try Self.claims(of: bob.credentials.token, on: server)
            claims.uid = alice.id.rawValue
            let editedPayload = SignedTokenFormat(key: TokenSigningKey.random()).sign(claims).split(separator: ".")[0]
            let tampered = String(editedPayload) + "." + parts[1]
            // And signs one with a key of her own.
            let forged = SignedTokenFormat(key: TokenSigningKey.random()).sign(claims)

            for (what, token) in [("tampered", tampered), ("forged", forged)] {
                let client = server.client().with(token: token)
                let response = try await client.raw(
                    "POST", "/api/v1/messages", body: Array(#"{"to":\#(alice.id.rawValue),"body":"pay me"}"#.utf8))
                #expect(response.status == 401, "Exercise 06.1: a \(what) token is refused")
                #expect(response.error?.code == .unauthorized, "in the documented error shape: \(response.text)")
                #expect(response.error?.message.contains("signature") == true, "saying why: \(response.text)")
                await #expect(throws: (any Error).self, "no WebSocket with a \(what) token") {
                    _ = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: token, timeout: .seconds(5))
                }
            }
            let history = try await alice.http.history(of: alice.conversation(with: bob))
            #expect(history.messages.isEmpty, "nothing was sent")
        }
    }

    @Test("an expired token gets 401 saying so; the same session with a fresh token still works")
    func expiredTokensAreRefused() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            var claims = try Self.claims(of: alice.credentials.token, on: server)
            let now = currentMilliseconds()
            claims.iat = now - 2 * 86_400_000
            claims.exp = now - 86_400_000
            let expired = server.server.tokenFormat.sign(claims)  // the server's key: only the date is wrong

            let response = try await server.client().with(token: expired).raw(
                "POST", "/api/v1/messages", body: Array(#"{"to":\#(bob.id.rawValue),"body":"late"}"#.utf8))
            #expect(response.status == 401, "Exercise 06.1: an expired token is refused")
            #expect(
                response.error?.code == .unauthorized && response.error?.message.contains("expired") == true, "\(response.text)")
            #expect(try await bob.http.history(of: bob.conversation(with: alice)).messages.isEmpty, "nothing was sent")
            #expect(try await alice.http.me().id == alice.id, "the session itself is still alive")
        }
    }

    @Test("logout revokes a token whose signature and date are still good")
    func logoutRevokes() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            _ = try Self.claims(of: alice.credentials.token, on: server)
            try await alice.http.logout()
            let response = try await alice.http.raw("GET", "/api/v1/me")
            #expect(response.status == 401 && response.error?.code == .unauthorized, "revoked at once: \(response.text)")
            await #expect(throws: (any Error).self, "no WebSocket after logout") {
                _ = try await server.connect(alice)
            }
        }
    }

    @Test("a token past half its life is renewed in hello; the refresh endpoint renews on demand")
    func tokensAreRefreshedOnReconnect() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            var claims = try Self.claims(of: alice.credentials.token, on: server)
            let now = currentMilliseconds()
            claims.iat = now - 13 * 3_600_000
            claims.exp = now + 11 * 3_600_000
            let aging = server.server.tokenFormat.sign(claims)

            let socket = try await IMWebSocketClient.connect(baseURL: server.baseURL, token: aging)
            guard let fresh = socket.hello.token else {
                Issue.record("hello carries a fresh token when the one used is past half its life")
                return
            }
            socket.close()
            let renewed = try Self.claims(of: fresh, on: server)
            #expect(renewed.sid == claims.sid, "the same session")
            #expect(renewed.exp > claims.exp, "valid for longer")
            #expect(try await alice.http.with(token: fresh).me().id == alice.id, "the fresh token works")
            #expect(try await alice.http.with(token: aging).me().id == alice.id, "the old one works until it expires")

            // A device that reconnects with the aging token adopts the fresh one for everything after.
            let device = IMDevice(
                baseURL: server.baseURL,
                credentials: Credentials(user: alice.credentials.user, token: aging, deviceID: alice.credentials.deviceID))
            try await device.connect()
            let adopted = await device.token
            await device.disconnect()
            #expect(adopted != aging, "the device keeps the newest token")
            #expect(try Self.claims(of: adopted, on: server).sid == claims.sid)

            let onDemand = try await alice.http.refreshToken()
            #expect(try Self.claims(of: onDemand, on: server).sid == claims.sid)

            // Logout revokes the session, so every token of it, old or renewed.
            try await alice.http.with(token: fresh).logout()
            #expect(try await alice.http.raw("GET", "/api/v1/me").status == 401)
            #expect(try await alice.http.with(token: onDemand).raw("GET", "/api/v1/me").status == 401)
        }
    }

    @Test("tokens survive a restart of the server: the signing key is kept next to the data")
    func keySurvivesRestart() async throws {
        try await withTemporaryDirectory { directory in
            let first = try await TestServer.start(dataDirectory: directory.path)
            let alice = try await first.registerUser("alice")
            await first.stop()
            let second = try await TestServer.start(dataDirectory: directory.path)
            let client = second.client().with(token: alice.credentials.token)
            let me = try await client.me()
            await second.stop()
            #expect(me.id == alice.id)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/token.key")
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "only the server's user may read the key")
        }
    }
}
