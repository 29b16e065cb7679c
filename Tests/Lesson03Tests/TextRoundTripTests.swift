// Lesson 03 tests: what the server acknowledges is exactly what it stores and gives back, for
// every kind of text, over HTTP and WebSocket; U+0000 is refused and changes nothing.

import Foundation
import IMClient
import IMCore
import IMTestSupport
import Testing

@Suite("03 Text round trip", .serialized)
struct TextRoundTripTests {
    /// One body per class of code points a client may send.
    static let bodies: [(String, String)] = [
        ("ASCII", "plain text"),
        ("C0 controls but NUL", "tab\there\nnewline\rreturn \u{1}\u{7}\u{8}\u{B}\u{C}\u{1B}\u{1F}"),
        ("DEL and C1 controls", "\u{7F} \u{80} \u{85} \u{9F}"),
        ("JSON escapes", #"quote " backslash \ slash / </script>"#),
        ("Latin with combining marks", "é (precomposed) and e\u{301} (combining), Å\u{30A}"),
        ("CJK", "中文消息，日本語のメッセージ，한국어 메시지"),
        ("right to left", "مرحبا שלום \u{200F}mark\u{200E}"),
        ("emoji sequences", "😀 👩‍👩‍👧 🏳️‍🌈 👍🏽 🇨🇳"),
        ("line and paragraph separators", "a\u{2028}b\u{2029}c"),
        ("BOM, zero-width and invisible", "\u{FEFF}bom \u{200B}zwsp \u{2060}wj \u{00AD}shy"),
        ("private use and plane 16", "\u{E000}\u{F8FF}\u{10FFFD}"),
        // Swift source cannot spell noncharacters as literals; they are valid scalars all the same.
        ("noncharacters", String(String.UnicodeScalarView([0xFDD0, 0xFFFE, 0xFFFF, 0x1FFFE].compactMap(Unicode.Scalar.init)))),
        ("astral scripts", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 𓀀"),
    ]

    @Test("every class of code points comes back byte for byte: ACK, history and sync, over HTTP and WebSocket")
    func everyClassRoundTrips() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let aliceSocket = try await server.connect(alice)
            var sent: [Message] = []
            for (index, (what, body)) in Self.bodies.enumerated() {
                let http = try await alice.http.send(to: bob.id, body: body, clientMsgID: "h\(index)")
                #expect(Array(http.body.utf8) == Array(body.utf8), "\(what): the HTTP answer changed the body")
                let ws = try await aliceSocket.sendMessage(
                    to: bob.id, body: body, clientMsgID: "w\(index)", requestID: "r\(index)")
                #expect(Array(ws.body.utf8) == Array(body.utf8), "\(what): the WebSocket ACK changed the body")
                sent += [http, ws]
            }
            let history = try await bob.http.history(of: bob.conversation(with: alice), limit: 100)
            let synced = try await bob.http.sync(after: 0).entries.compactMap(\.message)
            for (answer, what) in [(history.messages, "history"), (synced, "sync")] {
                #expect(answer.count == sent.count, "\(what) holds every message")
                for message in sent {
                    let stored = answer.first { $0.id == message.id }
                    #expect(
                        stored.map { Array($0.body.utf8) } == Array(message.body.utf8),
                        "\(what) gives back the acknowledged body of message \(message.id) byte for byte")
                }
            }
            aliceSocket.close()
        }
    }

    @Test("U+0000 in a body, a clientMsgID or a display name is refused with invalid_argument, and nothing is stored")
    func nulIsRefused() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let bob = try await server.registerUser("bob")
            let aliceSocket = try await server.connect(alice)
            for body in ["a\u{0}b", "\u{0}", "\u{0}\u{0}"] {
                await expectServerError(.invalidArgument, "HTTP body \(body.debugDescription)") {
                    _ = try await alice.http.send(to: bob.id, body: body, clientMsgID: nil)
                }
                await expectServerError(.invalidArgument, "WebSocket body \(body.debugDescription)") {
                    _ = try await aliceSocket.sendMessage(to: bob.id, body: body, clientMsgID: nil, requestID: "n")
                }
            }
            await expectServerError(.invalidArgument, "a clientMsgID with NUL") {
                _ = try await alice.http.send(to: bob.id, body: "fine", clientMsgID: "id\u{0}x")
            }
            let history = try await bob.http.history(of: bob.conversation(with: alice))
            #expect(history.messages.isEmpty, "nothing was stored; got \(history.messages)")
            await expectServerError(.invalidArgument, "a display name with NUL") {
                _ = try await server.client().register(
                    username: uniqueUsername("nul"), password: "password123", displayName: "a\u{0}b")
            }
            aliceSocket.close()
        }
    }
}
