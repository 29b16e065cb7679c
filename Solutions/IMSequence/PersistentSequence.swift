// Lesson 05: the allocator with its storage — what a server calls.

import GRDB
import Synchronization

/// A `SequenceAllocator` whose bounds are kept in a SQLite database.
///
/// Call `next(for:)` inside a write transaction, so that numbers are issued in commit order.
/// When a section is used up it throws `SectionExhausted`; the caller then calls
/// `reserve(for:in:)` in a transaction of its own (committed before any number of the new section
/// is used) and retries. That keeps the hot path free of disk writes.
public final class PersistentSequence: Sendable {
    /// Thrown by `next(for:)` when `key` needs a new section persisted first.
    public struct SectionExhausted: Error, Sendable { public let key: String }

    private let allocator: Mutex<SequenceAllocator>

    public init(configuration: SequenceAllocator.Configuration = .init()) {
        allocator = Mutex(SequenceAllocator(configuration: configuration))
    }

    /// The next number of `key`, or `SectionExhausted`.
    public func next(for key: String) throws -> Int64 {
        guard let value = allocator.withLock({ $0.next(for: key) }) else { throw SectionExhausted(key: key) }
        return value
    }

    /// Persists the next bound of `key` in `db`. Commit the transaction, then call `confirm`.
    public func reserve(for key: String, in db: Database) throws -> (previous: Int64, maximum: Int64) {
        let previous = try SequenceSections.maximum(of: key, db)
        let maximum = allocator.withLock { $0.nextMaximum(persisted: previous) }
        try SequenceSections.raise(key, to: maximum, db)
        return (previous, maximum)
    }

    /// Records a bound that is now durable.
    public func confirm(_ key: String, previous: Int64, maximum: Int64) {
        allocator.withLock { $0.didPersist(key, maximum: maximum, previous: previous) }
    }

    /// Reserves sections for those of `keys` that have no room left, before a transaction that
    /// takes one number of each: so that it does not start, take some numbers, and roll back.
    public func prepare(_ keys: [String], writer: any DatabaseWriter) async throws {
        let missing = keys.filter { key in !allocator.withLock { $0.hasRoom(for: key) } }
        guard !missing.isEmpty else { return }
        // One transaction for all of them; numbers from the new sections go out only after it commits.
        let reserved = try await writer.write { db in
            try missing.map { key in (key, try self.reserve(for: key, in: db)) }
        }
        for (key, bounds) in reserved { confirm(key, previous: bounds.previous, maximum: bounds.maximum) }
    }

    /// Convenience: reserve a new section of `key` in its own committed transaction.
    public func reserve(for key: String, writer: any DatabaseWriter) async throws {
        let (previous, maximum) = try await writer.write { db in try self.reserve(for: key, in: db) }
        confirm(key, previous: previous, maximum: maximum)
    }
}
