// Lesson 04: the uplink half of "exactly once" — a retried send is stored once.
//
// A client that gets no ACK cannot tell a lost request from a lost ACK, so it sends again with
// the same client message id. The server must answer the retry with the message it stored the
// first time (same id, seq and time), and store nothing new. The lookup runs inside the send's
// own write transaction, so two copies of one send that arrive together cannot both miss it:
// SQLite has one writer, and the second copy's transaction starts after the first one committed.

import CourseSupport
import GRDB
import IMCore
import IMStore

/// Finds the message a retried send already stored.
public enum SendDeduplication {
    /// The message `sender` already stored under `clientMsgID`, or nil when there is none (or the
    /// send carries no client id, and so cannot be matched). Call it inside the send's write
    /// transaction, before anything is written.
    ///
    /// The key is (sender, clientMsgID): a user's devices share one id space, so a send retried
    /// from another device, or over HTTP after WebSocket failed, is still the same send. The
    /// index `message_by_client_id` (lesson 09's migration) makes the lookup one B-tree probe.
    public static func storedMessage(from sender: UserID, clientMsgID: String?, _ db: Database) throws -> Message? {
        // BEGIN EXERCISE 04.1: Inside the send's transaction, find the message this sender already stored under clientMsgID (any device); nil without an id or a match.
        guard let clientMsgID else { return nil }
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM message WHERE sender_id = ? AND client_msg_id = ? LIMIT 1"),
                arguments: [sender.rawValue, clientMsgID])
        else { return nil }
        return try SQLiteStore.message(from: row)
        // STUB: _ = Exercise.notImplemented("04.1", expected: "the message this sender stored earlier under the same clientMsgID (from any device), so that a retry stores nothing; nil when there is none or no id")
        // STUB: return nil
        // END EXERCISE 04.1
    }
}
