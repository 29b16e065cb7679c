import Foundation

/// A directory's files as `relative/path → contents`, which is how starters are generated, written
/// and compared. Hidden files (`.DS_Store`...) are skipped: they are not part of a module.
public enum FileTree {
    public static func read(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in try list(directory) {
            let url = directory.appendingPathComponent(path)
            do {
                files[path] = try Data(contentsOf: url)
            } catch {
                throw CourseError.fileSystem(path: url.path, reason: "cannot be read")
            }
        }
        return files
    }

    /// The relative paths of the regular files under `directory`, sorted, `/`-separated.
    /// A missing directory has no files.
    public static func list(_ directory: URL) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        var result: [String] = []
        func walk(_ relative: String) throws {
            let url = relative.isEmpty ? directory : directory.appendingPathComponent(relative)
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: url.path)
            } catch {
                throw CourseError.fileSystem(path: url.path, reason: "cannot list the folder")
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var childIsDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: directory.appendingPathComponent(child).path, isDirectory: &childIsDirectory)
                if childIsDirectory.boolValue {
                    try walk(child)
                } else {
                    result.append(child)
                }
            }
        }
        try walk("")
        return result.sorted()
    }

    /// Makes `directory` hold exactly `files`. Files whose contents are already right are not
    /// rewritten, so their modification dates stay and incremental builds stay incremental.
    public static func sync(_ files: [String: Data], to directory: URL) throws {
        let manager = FileManager.default
        let existing = try list(directory)
        for path in existing where files[path] == nil {
            try remove(directory.appendingPathComponent(path))
        }
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(path)
            if existing.contains(path), (try? Data(contentsOf: url)) == data { continue }
            do {
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            } catch {
                throw CourseError.fileSystem(path: url.path, reason: "cannot be written: \(error.localizedDescription)")
            }
        }
        try removeEmptyFolders(in: directory)
    }

    /// Copies a whole folder (used for backups).
    public static func copy(_ source: URL, to destination: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: destination)
        } catch {
            throw CourseError.fileSystem(
                path: destination.path, reason: "cannot copy \(source.path) here: \(error.localizedDescription)")
        }
    }

    /// How `actual` differs from `expected`.
    public static func differences(expected: [String: Data], actual: [String: Data]) -> Differences {
        Differences(
            missing: expected.keys.filter { actual[$0] == nil }.sorted(),
            extra: actual.keys.filter { expected[$0] == nil }.sorted(),
            changed: expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted())
    }

    public struct Differences: Sendable, Equatable {
        public let missing: [String]
        public let extra: [String]
        public let changed: [String]

        public var isEmpty: Bool { missing.isEmpty && extra.isEmpty && changed.isEmpty }

        /// One line per differing file, e.g. `changed: Store.swift`.
        public func lines(prefix: String) -> [String] {
            missing.map { "missing: \(prefix)\($0)" } + extra.map { "extra:   \(prefix)\($0)" }
                + changed.map { "changed: \(prefix)\($0)" }
        }
    }

    private static func remove(_ url: URL) throws {
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw CourseError.fileSystem(path: url.path, reason: "cannot be removed: \(error.localizedDescription)")
        }
    }

    private static func removeEmptyFolders(in directory: URL) throws {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            try removeEmptyFolders(in: url)
            if (try? manager.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
                try remove(url)
            }
        }
    }
}
