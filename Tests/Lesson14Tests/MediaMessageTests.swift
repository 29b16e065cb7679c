// Lesson 14 tests, part 6: media messages refer to a finished upload; only the uploader attaches
// it, only the conversation's members read it.

import Foundation
import IMClient
import IMCore
import IMTestSupport
import IMUpload
import NIOHTTP1
import Testing

@Suite("14 media messages", .serialized)
struct MediaMessageTests {
    @Test("a finished upload sent as an image message reaches the recipient, who can read it; others cannot (14.1, 14.2, 14.3)")
    func mediaMessage() async throws {
        try await withTestServer { server in
            let aliceUser = try await server.registerUser("alice")
            let bobUser = try await server.registerUser("bob")
            let alice = TusRawClient(server: server, user: aliceUser)
            let bob = TusRawClient(server: server, user: bobUser)
            let carol = TusRawClient(server: server, user: try await server.registerUser("carol"))
            let photo = Tus.bytes(40_000, seed: 7)
            let path = try await alice.createPath(length: 40_000, metadata: ["filename": "cat.jpg", "filetype": "image/jpeg"])
            let id = String(path.split(separator: "/").last ?? "")

            let early = try await alice.send(
                .POST, path + "/message", body: Array("{\"to\":\(bobUser.id.rawValue),\"kind\":\"image\"}".utf8))
            #expect(early.status == 400, "an unfinished upload cannot be sent; got \(early.status) \(early.text)")
            #expect(try await alice.upload(path, photo, chunk: 16_000).status == 204)

            let foreign = try await bob.send(
                .POST, path + "/message", body: Array("{\"to\":\(aliceUser.id.rawValue),\"kind\":\"image\"}".utf8))
            #expect(foreign.status == 404, "only the uploader may attach an upload; got \(foreign.status)")
            #expect(try await bob.send(.GET, "/api/v1/media/\(id)").status == 404, "before the message, bob cannot read it")

            let sent = try await alice.send(
                .POST, path + "/message",
                body: Array("{\"to\":\(bobUser.id.rawValue),\"kind\":\"image\",\"clientMsgID\":\"m1\"}".utf8))
            #expect(sent.status == 201, "the media message is sent; got \(sent.status) \(sent.text)")

            let history = try await bobUser.http.history(of: bobUser.conversation(with: aliceUser))
            let body = try #require(history.messages.last?.body, "bob's history has the message")
            let media = try JSONDecoder().decode(MediaBody.self, from: Data(body.utf8)).media
            #expect(
                media
                    == MediaReference(
                        upload: id, kind: .image, type: "image/jpeg", size: 40_000, sha256: Tus.hex(photo), name: "cat.jpg"))

            let read = try await bob.send(.GET, "/api/v1/media/\(id)")
            #expect(read.status == 200 && read.body == photo, "a member of the conversation reads the bytes; got \(read.status)")
            #expect(read["Content-Type"] == "image/jpeg" && read["ETag"] == "\"\(Tus.hex(photo))\"")
            #expect(try await carol.send(.GET, "/api/v1/media/\(id)").status == 404, "someone outside the conversation cannot")
            #expect(try await alice.send(.GET, "/api/v1/media/\(id)").status == 200, "the uploader can")
        }
    }
}
