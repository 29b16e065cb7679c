// Lesson 14 tests, part 1: the PATCH state machine (14.1 admit, 14.3 settle), without I/O.

import Foundation
import IMCore
import IMUpload
import Testing

@Suite("14 PATCH state machine")
struct PatchStateTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func record(length: Int64 = 100, offset: Int64 = 40, kind: UploadRecord.Kind = .single, expiresIn: TimeInterval = 60)
        -> UploadRecord
    {
        UploadRecord(
            id: "u1", owner: UserID(1), length: length, offset: offset, kind: kind, created: now,
            expires: now + expiresIn)
    }

    func admitError(_ record: UploadRecord, _ patch: PatchRequest) -> UploadError? {
        do {
            _ = try record.admit(patch, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test("14.1: a PATCH at the stored offset may carry what is left of the declared length")
    func admitsAtTheOffset() throws {
        #expect(try record().admit(PatchRequest(offset: 40, contentLength: 60), now: now) == 60, "Exercise 14.1: 100 - 40 left")
        #expect(
            try record().admit(PatchRequest(offset: 40, contentLength: nil), now: now) == 60, "Exercise 14.1: no Content-Length")
        #expect(try record().admit(PatchRequest(offset: 40, contentLength: 0), now: now) == 60, "Exercise 14.1: an empty chunk")
    }

    @Test("14.1: another offset is 409, a chunk past the length 413, an expired upload 410, a final upload 403")
    func refusals() {
        #expect(admitError(record(), PatchRequest(offset: 0, contentLength: 10))?.status == 409, "Exercise 14.1: offset behind")
        #expect(admitError(record(), PatchRequest(offset: 50, contentLength: 10))?.status == 409, "Exercise 14.1: offset ahead")
        #expect(
            admitError(record(), PatchRequest(offset: 40, contentLength: 61))?.status == 413, "Exercise 14.1: past the length")
        #expect(
            admitError(record(expiresIn: 0), PatchRequest(offset: 40, contentLength: 1))?.status == 410, "Exercise 14.1: expired")
        #expect(
            admitError(record(expiresIn: -1), PatchRequest(offset: 0, contentLength: 1))?.status == 410,
            "Exercise 14.1: expiry is checked before the offset")
        #expect(
            admitError(record(kind: .final), PatchRequest(offset: 40, contentLength: 1))?.status == 403,
            "Exercise 14.1: a final upload takes no PATCH")
        let finishedLongAgo = record(offset: 100, expiresIn: -3600)
        #expect(
            admitError(finishedLongAgo, PatchRequest(offset: 100, contentLength: 1))?.status == 413,
            "Exercise 14.1: a finished upload never expires; a byte more is past its length")
    }

    @Test("14.3: a whole chunk is committed; without a checksum a cut chunk keeps what arrived")
    func commits() {
        let r = record()
        #expect(r.settle(ReceivedChunk(bytes: 60, complete: true)) == .commit(newOffset: 100), "Exercise 14.3: plain chunk")
        #expect(
            r.settle(ReceivedChunk(bytes: 60, complete: true, checksumMatches: true)) == .commit(newOffset: 100),
            "Exercise 14.3: a chunk that matches its checksum")
        #expect(
            r.settle(ReceivedChunk(bytes: 7, complete: false)) == .commit(newOffset: 47), "Exercise 14.3: tus keeps a cut chunk")
    }

    @Test("14.3: a wrong checksum is 460, a cut checksummed chunk 400, an overflow 413, and none moves the offset")
    func discards() {
        let r = record()
        func status(_ chunk: ReceivedChunk) -> Int? {
            if case .discard(let error) = r.settle(chunk) { return error.status }
            return nil
        }
        #expect(status(ReceivedChunk(bytes: 60, complete: true, checksumMatches: false)) == 460, "Exercise 14.3: mismatch")
        #expect(status(ReceivedChunk(bytes: 30, complete: false, checksumMatches: false)) == 400, "Exercise 14.3: cut + checksum")
        #expect(
            status(ReceivedChunk(bytes: 30, complete: false, checksumMatches: true)) == 400,
            "Exercise 14.3: cut, even if the prefix matched")
        #expect(status(ReceivedChunk(bytes: 60, complete: true, overflowed: true)) == 413, "Exercise 14.3: overflow")
        #expect(
            status(ReceivedChunk(bytes: 60, complete: true, overflowed: true, checksumMatches: true)) == 413,
            "Exercise 14.3: an overflow is refused even when the bytes read matched")
    }
}

@Suite("14 chunk size by network")
struct ChunkPolicyTests {
    @Test("2 MB on Wi-Fi, 1 MB on 4G, 256 KB on 3G, 2G and unknown networks")
    func sizes() {
        #expect(ChunkPolicy.chunkSize(for: .wifi) == 2 << 20)
        #expect(ChunkPolicy.chunkSize(for: .cellular4G) == 1 << 20)
        #expect(ChunkPolicy.chunkSize(for: .cellular3G) == 256 << 10)
        #expect(ChunkPolicy.chunkSize(for: .cellular2G) == 256 << 10)
        #expect(ChunkPolicy.chunkSize(for: .unknown) == 256 << 10)
    }
}
