// Lesson 09 tests (hardening): a page size a client asks for is 1 or more, the same rule over
// HTTP and WebSocket. Before the rule, `limit=0` returned one item and a negative limit was taken
// on one transport and refused on the other.

import IMClient
import IMCore
import IMTestSupport
import Testing

@Suite("09 Page limits", .serialized)
struct PageLimitTests {
    @Test("limit 0 or less is invalid_argument for sync and history over HTTP, and for sync over WebSocket with ref")
    func zeroOrNegativeLimitIsRefused() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            _ = try await alice.http.send(to: bob.id, body: "one")
            let conversation = alice.conversation(with: bob)
            for limit in [0, -1] {
                for path in [
                    "/api/v1/sync?after=0&limit=\(limit)",
                    "/api/v1/conversations/\(conversation.rawValue)/messages?limit=\(limit)",
                ] {
                    let response = try await alice.http.raw("GET", path)
                    #expect(
                        response.status == 400 && response.error?.code == .invalidArgument,
                        "GET \(path) must be 400 invalid_argument; got \(response.status) \(response.text)")
                }
            }
            let page = try await alice.http.sync(after: 0, limit: 1)
            #expect(page.entries.count == 1, "limit 1 is the smallest page, and it is honoured")

            let socket = try await server.connect(alice)
            socket.sendRaw(#"{"v":1,"type":"sync","id":"z1","data":{"after":0,"limit":0}}"#)
            guard case .error(let ref, let error) = try await socket.next(timeout: .seconds(5)) else {
                Issue.record("a WebSocket sync with limit 0 must be refused as over HTTP")
                return
            }
            #expect(ref == "z1" && error.code == .invalidArgument, "refused with ref, as invalid_argument: \(error)")
            socket.close()
        }
    }
}
