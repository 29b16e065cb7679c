// Lesson 11 tests: the seam of later lessons. The server composes the extensions it is given —
// their routes, frame handlers and services — without knowing them.

import IMClient
import IMCore
import IMTestSupport
import Testing

@Suite("11 The seam of later lessons", .serialized)
struct ServerExtensionTests {
    @Test("an extension's route is served, its frame handler answers first, its service runs and stops")
    func extensionIsComposed() async throws {
        let probe = ProbeExtension()
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path, extraExtensions: [probe])
            do {
                let health = try await server.client().raw("GET", "/health").status
                try #require(health == 200, "the gateway's routes come first; the seam is checked on top of them")
                let route = try await server.client().raw("GET", "/probe")
                #expect(route.status == 200 && route.text == "probe", "the extension's route is on the one router")
                #expect(probe.serviceLog.started, "the extension's service runs with the server")

                let alice = try await server.registerUser("alice")
                let bob = try await server.registerUser("bob")
                let socket = try await server.connect(alice)
                do {
                    _ = try await socket.sendMessage(to: bob.id, body: ProbeExtension.refusedBody, requestID: "r1")
                    Issue.record("the extension's frame handler should refuse the send")
                } catch IMClientError.server(_, let error) {
                    #expect(error.code == .forbidden, "the handler answers the send before the logic layer")
                }
                let passed = try await socket.sendMessage(to: bob.id, body: "passed on", requestID: "r2")
                #expect(passed.body == "passed on", "a frame the handler passes on reaches the logic layer")
                let history = try await bob.http.history(of: bob.conversation(with: alice))
                #expect(history.messages.map(\.body) == ["passed on"], "the refused send was never stored")
                socket.close()
            } catch {
                await server.stop()
                throw error
            }
            #expect(await server.stop(), "the server stops gracefully")
            #expect(probe.serviceLog.started && probe.serviceLog.stopped, "the extension's service is stopped with it")
        }
    }

    @Test(
        "a later lesson's frames: a dotted type reaches its extension, which can write an encoded frame to the connection and hears it close"
    )
    func extensionFrames() async throws {
        let probe = ProbeExtension()
        try await withTemporaryDirectory { directory in
            let server = try await TestServer.start(dataDirectory: directory.path, extraExtensions: [probe])
            do {
                let alice = try await server.registerUser("alice")
                let socket = try await server.connect(alice)
                socket.sendRaw(#"{"v":1,"type":"probe.echo","id":"e1","data":{"n":[1,2.5,"x"]}}"#)
                var frames: [ServerFrame] = []
                for _ in 0..<2 { frames.append(try await socket.next(timeout: .seconds(5))) }
                let expectedData: JSONValue = .object(["n": .array([.integer(1), .number(2.5), .string("x")])])
                #expect(
                    frames.contains(.extension(type: "probe.echoed", ref: "e1", data: expectedData)),
                    "the extension answers its frame with `ref` and the data it was sent: \(frames)")
                #expect(
                    frames.contains { if case .extension("probe.notice", nil, _) = $0 { true } else { false } },
                    "a frame encoded once (EncodedFrame) reaches the connection the request came over: \(frames)")

                socket.sendRaw(#"{"v":1,"type":"nobody.owns","id":"e2","data":{}}"#)
                guard case .error(let ref, let error) = try await socket.next(timeout: .seconds(5)) else {
                    Issue.record("a dotted type no extension owns must be refused")
                    return
                }
                #expect(ref == "e2" && error.code == .unknownType, "refused as unknown_type with ref: \(error)")

                socket.close()
                #expect(
                    await eventually { probe.serviceLog.closedConnections == 1 },
                    "an observer added to gateway.connectionEvents hears the connection close")
            } catch {
                await server.stop()
                throw error
            }
            #expect(await server.stop(), "the server stops gracefully")
        }
    }
}
