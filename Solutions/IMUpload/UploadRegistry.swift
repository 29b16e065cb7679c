// Lesson 14: every upload's record, its owner, and one request at a time per upload.
//
// Records are small JSON files next to the bytes (`info/<id>.json`), read back at start, so an
// upload resumes across a server restart. The registry is an actor: creation checks the quota
// and inserts in one step, and an upload is locked while a request works on it, so two PATCHes
// of one upload never interleave (the second waits, then sees the first one's offset).

import Foundation
import IMCore

/// The uploads of one server.
public actor UploadRegistry {
    private let folder: URL
    private var records: [String: UploadRecord] = [:]
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Opens the registry in `folder`, reading the records written before.
    public init(folder: String) throws {
        self.folder = URL(fileURLWithPath: folder, isDirectory: true)
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        var loaded: [String: UploadRecord] = [:]
        let decoder = JSONDecoder()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".json") {
            let url = self.folder.appendingPathComponent(name)
            if let record = try? decoder.decode(UploadRecord.self, from: Data(contentsOf: url)) {
                loaded[record.id] = record
            }
        }
        records = loaded
    }

    /// The record of `id` if it belongs to `owner`; unknown and foreign ids are both `notFound`.
    public func record(_ id: String, of owner: UserID) throws(UploadError) -> UploadRecord {
        guard let record = records[id], record.owner == owner else { throw UploadError.notFound }
        return record
    }

    /// The finished upload `id` if `reader` may read it: its owner, or a member of a conversation
    /// it was sent to. Anyone else gets `notFound`, as for an unknown id.
    public func readable(_ id: String, by reader: UserID) throws(UploadError) -> UploadRecord {
        guard let record = records[id], record.isFinished, record.kind != .partial else { throw UploadError.notFound }
        let member = (record.conversations ?? []).contains { $0.members.contains(reader) }
        guard record.owner == reader || member else { throw UploadError.notFound }
        return record
    }

    /// All records, for checks across uploads (concatenation).
    public func all() -> [String: UploadRecord] { records }

    /// Bytes `owner` holds: the declared lengths of all their uploads.
    public func used(by owner: UserID) -> Int64 {
        records.values.reduce(0) { $1.owner == owner ? $0 + $1.length : $0 }
    }

    /// Inserts a new record unless it would take its owner over `quota`.
    public func create(_ record: UploadRecord, quota: Int64) throws {
        let used = used(by: record.owner)
        guard used + record.length <= quota else {
            throw UploadError(
                .quotaExceeded, "\(record.length) more bytes would pass your quota of \(quota) (\(used) used)")
        }
        try persist(record)
        records[record.id] = record
    }

    /// Replaces a record (after a PATCH).
    public func update(_ record: UploadRecord) throws {
        try persist(record)
        records[record.id] = record
    }

    /// Removes a record; returns it.
    @discardableResult
    public func remove(_ id: String) -> UploadRecord? {
        try? FileManager.default.removeItem(at: infoURL(id))
        return records.removeValue(forKey: id)
    }

    /// Unfinished uploads past their expiry.
    public func expired(at now: Date) -> [UploadRecord] {
        records.values.filter { $0.isExpired(at: now) }
    }

    /// Whether a finished upload still refers to the object `sha256`.
    public func isReferenced(_ sha256: String) -> Bool {
        records.values.contains { $0.sha256 == sha256 }
    }

    /// Waits until no other request works on `id`, then holds it until `unlock`.
    public func lock(_ id: String) async {
        if held.insert(id).inserted { return }
        await withCheckedContinuation { waiters[id, default: []].append($0) }
    }

    /// Hands `id` to the next waiting request, or frees it.
    public func unlock(_ id: String) {
        if var queue = waiters[id], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[id] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            held.remove(id)
        }
    }

    /// Runs `body` while holding `id`.
    public nonisolated func locked<T: Sendable>(_ id: String, _ body: () async throws -> T) async throws -> T {
        await lock(id)
        do {
            let result = try await body()
            await unlock(id)
            return result
        } catch {
            await unlock(id)
            throw error
        }
    }

    private func infoURL(_ id: String) -> URL { folder.appendingPathComponent("\(id).json") }

    private func persist(_ record: UploadRecord) throws {
        try JSONEncoder().encode(record).write(to: infoURL(record.id), options: .atomic)
    }
}
