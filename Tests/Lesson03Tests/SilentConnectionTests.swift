// Lesson 03 tests: silent and half-open connections do not hold the server's descriptors.

import Foundation
import IMComposition
import IMGateway
import IMServer
import IMTestSupport
import Testing

@Suite("03 Silent connections")
struct SilentConnectionTests {
    @Test("a connection that sends nothing, or half a request, is closed after firstRequestTimeout; a whole request is served")
    func silentConnectionsAreClosed() async throws {
        try await withTestServer(configure: { $0.gateway.firstRequestTimeout = .milliseconds(500) }) { server in
            let started = ContinuousClock.now
            async let silent = plainExchange(port: server.port, sending: "", timeout: .seconds(5))
            async let halfLine = plainExchange(port: server.port, sending: "GET /hea", timeout: .seconds(5))
            async let halfHead = plainExchange(
                port: server.port, sending: "GET /health HTTP/1.1\r\nHost: x\r\n", timeout: .seconds(5))
            let answers = try await [silent, halfLine, halfHead]
            for (answer, what) in zip(answers, ["nothing", "half a request line", "a head without its end"]) {
                #expect(answer != nil, "a connection that sent \(what) must be closed by the server")
                #expect(answer?.isEmpty == true, "and gets no answer: \(what)")
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(4), "closed about firstRequestTimeout after they connected, not later; took \(elapsed)")

            // A whole request in time is served, and its kept-alive connection is not cut by the deadline.
            let health = try #require(
                try await plainExchange(
                    port: server.port, sending: "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    timeout: .seconds(5)))
            #expect(String(decoding: health, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("a slowloris that sends its request line a byte at a time is closed at firstRequestTimeout all the same")
    func slowRequestIsClosed() async throws {
        try await withTestServer(configure: { $0.gateway.firstRequestTimeout = .milliseconds(500) }) { server in
            let socket = try await RawSocket.connect(port: server.port)
            // One byte every 100 ms: each byte is progress, but the deadline counts from the connect.
            var sent = 0
            for byte in "GET /health HTTP/1.1\r\nHost: x\r\n" {
                guard socket.isOpen, (try? await socket.send(String(byte))) != nil else { break }
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await socket.closedByServer(within: .seconds(3)))
            #expect(sent < 20, "closed after about 5 of its bytes, not after all of them: \(sent) sent")
            #expect(socket.receivedText.isEmpty)
        }
    }

    @Test("a kept-alive HTTP connection is closed after httpIdleTimeout between requests")
    func idleKeepAliveIsClosed() async throws {
        try await withTestServer(configure: { $0.gateway.httpIdleTimeout = .seconds(1) }) { server in
            let answer = try #require(
                try await plainExchange(
                    port: server.port, sending: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", timeout: .seconds(6)),
                "the server closes a kept-alive connection that stays idle")
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "after answering its request")
        }
    }
}
