// Lesson 14 tests, part 3: checking a concatenation's parts (14.4), without I/O.

import Foundation
import IMCore
import IMUpload
import Testing

@Suite("14 concatenation plan")
struct ConcatenationPlanTests {
    let alice = UserID(1)
    let bob = UserID(2)
    let now = Date(timeIntervalSince1970: 1_000_000)

    func part(_ id: String, _ owner: UserID, length: Int64, offset: Int64, kind: UploadRecord.Kind = .partial) -> UploadRecord {
        UploadRecord(id: id, owner: owner, length: length, offset: offset, kind: kind, created: now, expires: now + 60)
    }

    var records: [String: UploadRecord] {
        [
            "a": part("a", alice, length: 10, offset: 10), "b": part("b", alice, length: 5, offset: 5),
            "half": part("half", alice, length: 10, offset: 3),
            "single": part("single", alice, length: 4, offset: 4, kind: .single),
            "bobs": part("bobs", bob, length: 4, offset: 4),
        ]
    }

    func status(_ parts: [String], maxSize: Int64 = 1_000) -> Int? {
        do {
            _ = try Concatenation.plan(parts: parts, owner: alice, records: records, maxSize: maxSize)
            return nil
        } catch {
            return error.status
        }
    }

    @Test("14.4: finished partial uploads of the owner join; the final length is their sum")
    func joins() throws {
        #expect(try Concatenation.plan(parts: ["a", "b"], owner: alice, records: records, maxSize: 1_000) == 15, "Exercise 14.4")
        #expect(
            try Concatenation.plan(parts: ["b", "a", "b"], owner: alice, records: records, maxSize: 1_000) == 20,
            "Exercise 14.4: a part may repeat")
    }

    @Test("14.4: a foreign or unknown part is 404 alike; unfinished, not partial or none is 400; too big is 413")
    func refuses() {
        #expect(status(["a", "bobs"]) == 404, "Exercise 14.4: someone else's part")
        #expect(status(["a", "nope"]) == 404, "Exercise 14.4: an unknown part")
        #expect(status(["a", "half"]) == 400, "Exercise 14.4: an unfinished part")
        #expect(status(["single"]) == 400, "Exercise 14.4: not created as partial")
        #expect(status([]) == 400, "Exercise 14.4: no parts")
        #expect(status(["a", "b"], maxSize: 14) == 413, "Exercise 14.4: over the largest upload")
    }
}
