// Lesson 20 tests, part 1: what a member sees and its unread, from positions alone (no I/O).

import IMGroup
import Testing

@Suite("20.1 Visible history and computed unread")
struct MemberPositionTests {
    @Test("a member sees the seqs above its join position, up to the group's last (20.1)")
    func joinBound() {
        let position = MemberPosition(joinSeq: 40, readSeq: 40)
        let view = position.view(lastSeq: 45)
        #expect(view.after == 40 && view.through == 45, "joined at 40: sees 41…45; got \(view)")
        #expect(view.unread == 5, "nothing read since joining: 5 unread; got \(view.unread)")
    }

    @Test("a removed member sees nothing newer than its removal, however the group goes on (20.1)")
    func leaveBound() {
        let position = MemberPosition(joinSeq: 10, readSeq: 12, leftSeq: 20)
        let view = position.view(lastSeq: 1_000)
        #expect(view.through == 20, "removed at 20: sees up to 20, not the group's 1000; got \(view)")
        #expect(view.unread == 8, "read up to 12, removed at 20: 8 unread; got \(view.unread)")
    }

    @Test("unread is the last visible seq minus the read position, never below 0, never counting seqs before joining (20.1)")
    func unreadIsComputed() {
        #expect(MemberPosition(joinSeq: 0, readSeq: 7).unread(lastSeq: 7) == 0, "read everything: 0 unread")
        #expect(MemberPosition(joinSeq: 0, readSeq: 0).unread(lastSeq: 9) == 9, "read nothing: 9 unread")
        #expect(
            MemberPosition(joinSeq: 50, readSeq: 3).unread(lastSeq: 60) == 10,
            "a read position below the join position counts from the join: 10 unread, not 57")
        #expect(
            MemberPosition(joinSeq: 5, readSeq: 5, leftSeq: 5).unread(lastSeq: 90) == 0,
            "removed right after joining: nothing visible, nothing unread")
    }
}
