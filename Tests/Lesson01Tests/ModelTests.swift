// Lesson 01 tests: the identifiers of the domain.

import IMCore
import Testing

@Suite("Domain model")
struct ModelTests {
    @Test("a direct conversation has one id whoever computes it")
    func directConversationIsSymmetric() {
        let a = UserID(3)
        let b = UserID(7)
        #expect(ConversationID.direct(a, b) == ConversationID.direct(b, a))
        #expect(ConversationID.direct(a, b).rawValue == "d:3:7")
        #expect(ConversationID.direct(a, b).members == [a, b])
        #expect(ConversationID.direct(a, b).peer(of: b) == a)
        #expect(ConversationID.direct(a, b).peer(of: UserID(9)) == nil)
    }

    @Test(
        "malformed ids are refused",
        arguments: ["", "d:1", "d:7:3", "d:0:1", "x:1:2", "d:1:2:3", "d:a:b", "d:-1:2", "d:01:2", "d:+1:2", "d:1:02", "d: 1:2"])
    func malformedConversationIDs(raw: String) {
        #expect(ConversationID(rawValue: raw) == nil)
    }

    @Test("device ids are short and plain")
    func deviceIDs() {
        #expect(DeviceID(rawValue: "laptop-2_b") != nil)
        #expect(DeviceID(rawValue: "") == nil)
        #expect(DeviceID(rawValue: "has space") == nil)
        #expect(DeviceID(rawValue: String(repeating: "x", count: 65)) == nil)
    }
}
