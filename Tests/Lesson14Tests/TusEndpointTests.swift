// Lesson 14 tests, part 4: the tus server through a real IM server on loopback, over real HTTP:
// chunks, checksums, bad input that changes nothing, foreign ids, expiry, termination,
// concatenation, instant upload and the quota.

import Foundation
import IMClient
import IMComposition
import IMTestSupport
import IMUpload
import NIOHTTP1
import Testing

@Suite("14 tus server end to end", .serialized)
struct TusEndpointTests {
    @Test("OPTIONS announces tus 1.0.0, its extensions, the largest size and the checksum algorithms")
    func discovery() async throws {
        try await withTestServer { server in
            let options = try await TusRawClient(server: server, user: nil).send(.OPTIONS, "/api/v1/uploads", tus: false)
            #expect(options.status == 204, "OPTIONS needs no token; got \(options.status) \(options.text)")
            #expect(options["Tus-Version"] == "1.0.0")
            let extensions = Set((options["Tus-Extension"] ?? "").split(separator: ",").map(String.init))
            #expect(
                extensions.isSuperset(of: [
                    "creation", "creation-with-upload", "checksum", "expiration", "termination", "concatenation",
                ]), "got \(extensions)")
            #expect(options["Tus-Checksum-Algorithm"] == "sha1,sha256")
            #expect(options["Tus-Max-Size"] == String(UploadConfiguration().maxSize))
        }
    }

    @Test("a file sent in checksummed chunks is stored under its SHA-256; HEAD tells where it stands (14.1, 14.2, 14.3)")
    func chunkedUpload() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let file = Tus.bytes(700_000, seed: 1)
            let path = try await alice.createPath(length: Int64(file.count), metadata: ["filename": "cat.jpg"])
            let created = try await alice.head(path)
            #expect(
                created.status == 200 && created.offset == 0, "a new upload stands at 0; got \(created.status) \(created.headers)"
            )
            #expect(created["Upload-Expires"] != nil, "an unfinished upload says when it expires")
            #expect(created["Cache-Control"] == "no-store")

            let first = try await alice.patch(
                path, offset: 0, Array(file[0..<262_144]), checksum: Tus.sha256Checksum(Array(file[0..<262_144])))
            #expect(
                first.status == 204 && first.offset == 262_144,
                "Exercise 14.1/14.3: the chunk is committed; got \(first.status) \(first.text)")
            let mid = try await alice.head(path)
            #expect(mid.offset == 262_144, "Exercise 14.3: HEAD reports the committed offset")
            let last = try await alice.upload(path, file, chunk: 262_144, from: 262_144)
            #expect(
                last.status == 204 && last.offset == Int64(file.count),
                "Exercise 14.1: the rest goes in; got \(last.status) \(last.text)")
            #expect(last["Upload-Content-SHA256"] == Tus.hex(file), "the finished upload is named by its SHA-256")
            let stored = try server.uploads.storage.readObject(Tus.hex(file))
            #expect(stored == file, "the object store holds exactly the bytes sent")
            let done = try await alice.head(path)
            #expect(done.offset == Int64(file.count) && done["Upload-Expires"] == nil, "a finished upload does not expire")
            #expect(done["Upload-Metadata"]?.contains("filename") == true, "metadata comes back on HEAD")
        }
    }

    @Test("a wrong checksum is 460 and the chunk is discarded; a sha1 checksum works too (14.1, 14.2, 14.3)")
    func checksumMismatch() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let file = Tus.bytes(2_000, seed: 2)
            let path = try await alice.createPath(length: 2_000)
            var corrupted = Array(file[0..<1_000])
            corrupted[500] ^= 0xFF
            let bad = try await alice.patch(path, offset: 0, corrupted, checksum: Tus.sha256Checksum(Array(file[0..<1_000])))
            #expect(bad.status == 460, "Exercise 14.3: a mismatch is 460; got \(bad.status) \(bad.text)")
            #expect(bad.errorCode == "checksum_mismatch")
            #expect(try await alice.head(path).offset == 0, "Exercise 14.3: the bad chunk changed nothing")
            let unknown = try await alice.patch(path, offset: 0, Array(file[0..<1_000]), checksum: "md5 AAAA")
            #expect(unknown.status == 400, "Exercise 14.2: an unsupported algorithm is 400; got \(unknown.status)")
            let good = try await alice.patch(
                path, offset: 0, Array(file[0..<1_000]), checksum: Tus.sha1Checksum(Array(file[0..<1_000])))
            #expect(good.status == 204 && good.offset == 1_000, "Exercise 14.2: sha1 verifies; got \(good.status) \(good.text)")
        }
    }

    @Test("bad input changes nothing: 409 offset, 413 past the length or over the limit, 415, 412, 400 (14.1, 14.3)")
    func badInput() async throws {
        try await withTestServer(configure: { $0.upload.maxSize = 10_000 }) { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let path = try await alice.createPath(length: 100)
            #expect(try await alice.patch(path, offset: 0, Array(repeating: 1, count: 40)).offset == 40)
            let behind = try await alice.patch(path, offset: 0, Array(repeating: 2, count: 10))
            #expect(behind.status == 409, "Exercise 14.1: offset 0 when the upload stands at 40; got \(behind.status)")
            let past = try await alice.patch(path, offset: 40, Array(repeating: 3, count: 61))
            #expect(past.status == 413, "Exercise 14.1: 61 bytes at 40 of 100; got \(past.status) \(past.text)")
            let wrongType = try await alice.send(
                .PATCH, path, headers: [("Upload-Offset", "40"), ("Content-Type", "application/json")], body: [1])
            #expect(wrongType.status == 415, "a PATCH body must be application/offset+octet-stream; got \(wrongType.status)")
            let noVersion = try await alice.send(
                .PATCH, path, headers: [("Upload-Offset", "40"), ("Content-Type", "application/offset+octet-stream")],
                body: [1], tus: false)
            #expect(
                noVersion.status == 412 && noVersion["Tus-Version"] == "1.0.0",
                "without Tus-Resumable: 412; got \(noVersion.status)")
            #expect(try await alice.head(path).offset == 40, "none of the refused PATCHes moved the offset")

            let tooBig = try await alice.create(length: 10_001)
            #expect(tooBig.status == 413, "a declared length over Tus-Max-Size is 413; got \(tooBig.status)")
            #expect(try await alice.create(length: nil).status == 400, "Upload-Length is required")
            #expect(try await alice.create(length: -1).status == 400, "a negative length is 400")
            let badHash = try await alice.create(length: 10, metadata: ["sha256": "xyz"])
            #expect(badHash.status == 400, "an offered hash that is not 64 hex digits is 400")
            let anonymous = try await TusRawClient(server: server, user: nil).create(length: 10)
            #expect(anonymous.status == 401, "creating needs the session token; got \(anonymous.status)")
        }
    }

    @Test("someone else's upload id is 404 exactly like an unknown one, for HEAD, PATCH and DELETE")
    func foreignIDs() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let mallory = TusRawClient(server: server, user: try await server.registerUser("mallory"))
            let path = try await alice.createPath(length: 10)
            let unknown = "/api/v1/uploads/00000000000000000000000000000000"
            for target in [path, unknown] {
                let head = try await mallory.head(target)
                #expect(head.status == 404 && head.offset == nil, "HEAD of a foreign or unknown id is 404 with no offset")
                let patch = try await mallory.patch(target, offset: 0, [1, 2, 3])
                let reference = try await mallory.patch(unknown, offset: 0, [1])
                #expect(
                    patch.status == 404 && patch.text == reference.text, "PATCH answers a foreign id exactly as an unknown one")
                #expect(try await mallory.send(.DELETE, target).status == 404)
            }
            #expect(try await alice.head(path).offset == 0, "the owner's upload is untouched")
        }
    }

    @Test("an expired upload is 410, then the sweeper removes it (404) and its bytes (14.1)")
    func expiry() async throws {
        try await withTestServer(configure: {
            $0.upload.expiry = .zero
            $0.upload.sweepInterval = .milliseconds(50)
        }) { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let created = try await alice.create(length: 10)
            let path = try #require(created["Location"])
            // The sweeper may win the race against the first PATCH: either answer says "gone".
            let patch = try await alice.patch(path, offset: 0, [1, 2, 3])
            #expect([410, 404].contains(patch.status), "Exercise 14.1: an expired upload takes no bytes; got \(patch.status)")
            let swept = try await eventually { try await alice.head(path).status == 404 }
            #expect(swept, "the sweeper removes expired uploads within a few intervals")
            let id = String(path.split(separator: "/").last ?? "")
            #expect(
                !FileManager.default.fileExists(atPath: server.dataDirectory + "/uploads/partial/\(id)"), "its bytes are gone")
        }
    }

    @Test("sweep(now:) removes exactly the expired uploads; a finished one never expires (14.1, 14.3)")
    func sweepByClock() async throws {
        try await withTestServer(configure: { $0.upload.expiry = .seconds(3600) }) { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let stale = try await alice.createPath(length: 10)
            let finished = try await alice.createPath(length: 3)
            #expect(try await alice.patch(finished, offset: 0, [1, 2, 3]).status == 204)
            let removed = await (try server.uploads).sweep(now: Date() + 7200)
            #expect(removed == 1, "only the unfinished upload expires; got \(removed)")
            #expect(try await alice.head(stale).status == 404)
            #expect(try await alice.head(finished).status == 200, "a finished upload never expires")
        }
    }

    @Test("termination: DELETE removes the upload; the object stays while another upload refers to it (14.1, 14.2, 14.3)")
    func termination() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let bob = TusRawClient(server: server, user: try await server.registerUser("bob"))
            let file = Tus.bytes(5_000, seed: 3)
            let a = try await alice.createPath(length: 5_000)
            let b = try await bob.createPath(length: 5_000)
            #expect(try await alice.upload(a, file, chunk: 5_000).status == 204)
            #expect(try await bob.upload(b, file, chunk: 2_000).status == 204)
            let storage = try server.uploads.storage
            #expect(try await alice.send(.DELETE, a).status == 204)
            #expect(try await alice.head(a).status == 404, "a terminated upload is gone")
            #expect(storage.objectSize(Tus.hex(file)) == 5_000, "bob's upload still refers to the content")
            #expect(try await bob.send(.DELETE, b).status == 204)
            #expect(storage.objectSize(Tus.hex(file)) == nil, "the last reference gone, the content is removed")
        }
    }

    @Test(
        "concatenation: parts sent in parallel join into one object; unfinished or foreign parts are refused (14.1, 14.2, 14.3, 14.4)"
    )
    func concatenation() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let bob = TusRawClient(server: server, user: try await server.registerUser("bob"))
            let file = Tus.bytes(300_000, seed: 4)
            let pieces = [file[0..<100_000], file[100_000..<250_000], file[250_000...]].map { Array($0) }
            var parts: [String] = []
            for piece in pieces { parts.append(try await alice.createPath(length: Int64(piece.count), concat: "partial")) }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for (path, piece) in zip(parts, pieces) {
                    group.addTask { try await alice.upload(path, piece, chunk: 64_000).status }
                }
                for try await status in group { #expect(status == 204, "each part is uploaded on its own connection") }
            }
            let headOfPart = try await alice.head(parts[0])
            #expect(headOfPart["Upload-Concat"] == "partial")

            let final = try await alice.create(length: nil, extra: [("Upload-Concat", "final;" + parts.joined(separator: " "))])
            #expect(final.status == 201, "Exercise 14.4: finished parts join; got \(final.status) \(final.text)")
            let finalPath = try #require(final["Location"])
            let head = try await alice.head(finalPath)
            #expect(head.offset == 300_000 && head["Upload-Length"] == "300000", "the final length is the parts' sum")
            #expect(head["Upload-Content-SHA256"] == Tus.hex(file), "the joined content is the file, in the parts' order")
            #expect(
                try await alice.patch(finalPath, offset: 300_000, [1]).status == 403, "Exercise 14.1: no PATCH to a final upload")

            let unfinished = try await alice.createPath(length: 10, concat: "partial")
            let refused = try await alice.create(length: nil, extra: [("Upload-Concat", "final;\(parts[0]) \(unfinished)")])
            #expect(refused.status == 400, "Exercise 14.4: an unfinished part is refused; got \(refused.status)")
            let bobsPart = try await bob.createPath(length: 1, concat: "partial")
            #expect(try await bob.patch(bobsPart, offset: 0, [9]).status == 204)
            let foreign = try await alice.create(length: nil, extra: [("Upload-Concat", "final;\(parts[0]) \(bobsPart)")])
            #expect(foreign.status == 404, "Exercise 14.4: someone else's part is not found; got \(foreign.status)")
            #expect(try await alice.head(parts[0]).status == 200, "a refused concatenation changes nothing")
        }
    }

    @Test("instant upload: content the server has completes at creation; a false hash is caught at the end (14.1, 14.2, 14.3)")
    func instantUpload() async throws {
        try await withTestServer { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let bob = TusRawClient(server: server, user: try await server.registerUser("bob"))
            let file = Tus.bytes(50_000, seed: 5)
            let first = try await alice.createPath(length: 50_000, metadata: ["sha256": Tus.hex(file)])
            #expect(try await alice.head(first).offset == 0, "unknown content must be sent")
            #expect(try await alice.upload(first, file, chunk: 20_000).status == 204)

            let again = try await bob.create(length: 50_000, metadata: ["sha256": Tus.hex(file)])
            #expect(
                again.status == 201 && again.offset == 50_000,
                "known content is done at once; got \(again.status) \(again.headers)")
            #expect(again["Upload-Content-SHA256"] == Tus.hex(file))
            let wrongLength = try await bob.create(length: 49_999, metadata: ["sha256": Tus.hex(file)])
            #expect(wrongLength.offset == 0, "a hash with another length is not the same content")

            let liar = try await bob.createPath(length: 10, metadata: ["sha256": String(repeating: "ab", count: 32)])
            let lie = try await bob.patch(liar, offset: 0, Array(repeating: 7, count: 10))
            #expect(lie.status == 460, "content that does not match the offered hash is refused at the end; got \(lie.status)")
            #expect(try await bob.head(liar).offset == 0, "and its last chunk is discarded")
        }
    }

    @Test("creation-with-upload: the POST body is the first chunk; the quota counts every upload of a user (14.1, 14.2, 14.3)")
    func creationWithUploadAndQuota() async throws {
        try await withTestServer(configure: { $0.upload.quotaPerUser = 1_000 }) { server in
            let alice = TusRawClient(server: server, user: try await server.registerUser("alice"))
            let body = Array(repeating: UInt8(5), count: 300)
            let created = try await alice.send(
                .POST, "/api/v1/uploads",
                headers: [
                    ("Upload-Length", "600"), ("Content-Type", "application/offset+octet-stream"),
                    ("Upload-Checksum", Tus.sha256Checksum(body)),
                ], body: body)
            #expect(
                created.status == 201 && created.offset == 300,
                "the body is stored at creation; got \(created.status) \(created.headers)")
            #expect(try await alice.create(length: 400).status == 201, "600 + 400 = the quota")
            let over = try await alice.create(length: 1)
            #expect(
                over.status == 413 && over.errorCode == "quota_exceeded",
                "one byte more is over the quota; got \(over.status) \(over.text)")
            let bob = TusRawClient(server: server, user: try await server.registerUser("bob"))
            #expect(try await bob.create(length: 1_000).status == 201, "the quota is per user")
        }
    }

    @Test("uploads survive a restart of the server: the offset and the bytes are still there (14.1, 14.2, 14.3)")
    func survivesRestart() async throws {
        try await withTemporaryDirectory { directory in
            let file = Tus.bytes(3_000, seed: 6)
            let first = try await TestServer.start(dataDirectory: directory.path)
            let user = try await first.registerUser("alice")
            let alice = TusRawClient(server: first, user: user)
            let path = try await alice.createPath(length: 3_000)
            #expect(try await alice.patch(path, offset: 0, Array(file[0..<1_000])).offset == 1_000)
            await first.stop()

            let second = try await TestServer.start(dataDirectory: directory.path)
            let again = TusRawClient(server: second, user: try await second.login(user, deviceID: "d2"))
            #expect(try await again.head(path).offset == 1_000, "the offset is kept across the restart")
            let rest = try await again.upload(path, file, chunk: 1_000, from: 1_000)
            #expect(rest["Upload-Content-SHA256"] == Tus.hex(file), "the resumed upload is the file")
            await second.stop()
        }
    }
}
