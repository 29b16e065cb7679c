// LESSON 20 STARTER, generated from Solutions/IMGroup/GroupFanout.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 20: fan-out — one group message to every online device of every member, in one pass.
//
// Read diffusion stores a message once; delivering it still means reaching each member that is
// online. The pass is done per gateway: each gateway node is handed the message once and writes
// it to the devices connected to it (in a cluster, the members are first grouped by the gateway
// their session map entry names; this server is one gateway). Within the pass:
//   - the frame is encoded ONCE and the same bytes are written to every device;
//   - each device gets it exactly once (the session map holds one connection per device);
//   - the sending connection is skipped (its ACK carries the message);
//   - a connection whose socket is not taking bytes (too much written and not yet sent) is
//     skipped: it is treated like an offline device and pulls what it missed later;
//   - nobody is waited for: writing only queues bytes on a connection.

import CourseSupport
import IMCore
import IMGateway

/// What one fan-out pass did.
public struct FanoutReport: Hashable, Sendable {
    /// Frames written (one per online device).
    public var delivered = 0
    /// Devices skipped because their connection was over `slowConnectionBytes`.
    public var skippedSlow = 0
    /// Members with no device online here: they pull when they come back.
    public var offlineMembers = 0

    public init() {}
}

/// The fan-out pass of one gateway.
public enum GroupFanout {
    /// Writes `frame` to every device of `members` found in `online` (member → its live
    /// connections at this gateway), except `excluding`, skipping connections with more than
    /// `slowBytes` bytes pending.
    public static func deliver(
        _ frame: EncodedFrame, to members: [UserID], online: [UserID: [SessionEntry]], excluding: ConnectionID?,
        slowBytes: Int
    ) -> FanoutReport {
        var report = FanoutReport()
        // BEGIN EXERCISE 20.4: One pass: each member once, each of its online devices once (not the sender's connection, not a slow one), the same encoded bytes to all; count delivered, skipped and offline.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 20
        _ = Exercise.notImplemented("20.4", expected: "every online device of every member sent the same EncodedFrame once, the sender's connection and slow ones skipped, offline members counted")
        // END EXERCISE 20.4
        return report
    }
}

extension SessionRegistry {
    /// The live connections of each of `users` that has any, found in one visit of the session map
    /// (not one actor hop per member: a 10,000-member group would make 10,000 of them).
    public func connections(ofAll users: [UserID]) -> [UserID: [SessionEntry]] {
        var found: [UserID: [SessionEntry]] = [:]
        for user in users {
            let entries = connections(of: user)
            if !entries.isEmpty { found[user] = entries }
        }
        return found
    }
}
