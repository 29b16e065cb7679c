// Lesson 14 tests, part 2: the Upload-Checksum header (14.2) and the streaming verifier.

import Crypto
import Foundation
import IMUpload
import Testing

@Suite("14 Upload-Checksum")
struct ChecksumTests {
    let chunk = Array("the quick brown fox".utf8)

    @Test("14.2: sha1 and sha256 headers are parsed into the algorithm and the digest")
    func parses() throws {
        let sha1 = try UploadChecksum(header: Tus.sha1Checksum(chunk))
        #expect(sha1.algorithm == .sha1 && sha1.digest == Array(Insecure.SHA1.hash(data: chunk)), "Exercise 14.2: sha1")
        let sha256 = try UploadChecksum(header: Tus.sha256Checksum(chunk))
        #expect(sha256.algorithm == .sha256 && sha256.digest == Array(SHA256.hash(data: chunk)), "Exercise 14.2: sha256")
    }

    @Test("14.2: an unknown algorithm, bad base64, a digest of the wrong size or a bad shape is 400")
    func refuses() {
        let sha256 = Data(SHA256.hash(data: chunk)).base64EncodedString()
        let sha1 = Data(Insecure.SHA1.hash(data: chunk)).base64EncodedString()
        for header in [
            "md5 \(sha256)", "sha256 !!notbase64!!", "sha256 \(sha1)", "sha1 \(sha256)", "sha256", "sha256  \(sha256)", "",
        ] {
            do {
                _ = try UploadChecksum(header: header)
                Issue.record("Exercise 14.2: `\(header)` should be refused with 400")
            } catch {
                #expect(error.status == 400, "Exercise 14.2: `\(header)` is a bad request; got \(error)")
            }
        }
    }

    @Test("14.2: the verifier fed in pieces matches the digest of the whole chunk, and only that")
    func verifies() throws {
        var verifier = try UploadChecksum(header: Tus.sha256Checksum(chunk)).makeVerifier()
        verifier.update(chunk[0..<5])
        verifier.update(chunk[5...])
        #expect(verifier.matches(), "Exercise 14.2: same bytes, same digest")
        verifier.update([0])
        #expect(!verifier.matches(), "one byte more no longer matches")
    }
}
