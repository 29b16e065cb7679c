// LESSON 02 STARTER, generated from Solutions/IMStore/Schema.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 02: the tables of the store and how they evolve.
//
// message         the content, stored ONCE however many people see it
// user_message    the per-user index: one row per (user, message), an outbox row for the sender
//                 and an inbox row for the recipient; history and sync read this, by user
// recent_contact  one row per (user, conversation), updated in place: the contacts list with
//                 its last message and unread count, without scanning any history

import GRDB

enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, messages, index, recent contacts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE,
                        display_name TEXT NOT NULL,
                        password_hash TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE session (
                        token_hash BLOB PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        device_id TEXT NOT NULL,
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        conversation_id TEXT NOT NULL,
                        sender_id INTEGER NOT NULL,
                        recipient_id INTEGER NOT NULL,
                        client_msg_id TEXT,
                        body TEXT NOT NULL,
                        sent_at INTEGER NOT NULL
                    );
                    CREATE TABLE user_message (
                        user_id INTEGER NOT NULL,
                        message_id INTEGER NOT NULL REFERENCES message(id),
                        conversation_id TEXT NOT NULL,
                        peer_id INTEGER NOT NULL,
                        direction INTEGER NOT NULL, -- 0 sent (outbox), 1 received (inbox)
                        PRIMARY KEY (user_id, message_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX user_message_by_conversation ON user_message(user_id, conversation_id, message_id);
                    CREATE TABLE recent_contact (
                        user_id INTEGER NOT NULL,
                        conversation_id TEXT NOT NULL,
                        peer_id INTEGER NOT NULL,
                        last_message_id INTEGER NOT NULL,
                        unread INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (user_id, conversation_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX recent_contact_by_recency ON recent_contact(user_id, last_message_id);
                    """)
        }
        return migrator
    }
}
