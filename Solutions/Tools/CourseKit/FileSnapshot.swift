import Foundation

/// The modification times and sizes of the files in a folder, so that `course watch` can tell what
/// changed between two looks without reading the files.
public struct FileSnapshot: Sendable, Equatable {
    public struct Stamp: Sendable, Hashable {
        public let modified: Date
        public let size: Int

        public init(modified: Date, size: Int) {
            self.modified = modified
            self.size = size
        }
    }

    /// Relative path → stamp. Hidden files are left out (editors' swap files are hidden).
    public let stamps: [String: Stamp]

    public init(stamps: [String: Stamp]) {
        self.stamps = stamps
    }

    /// The files under `folder` now; a missing folder has none, and a file that vanishes while it is
    /// being looked at is left out.
    public static func take(of folder: URL) -> FileSnapshot {
        let manager = FileManager.default
        var stamps: [String: Stamp] = [:]
        for path in (try? FileTree.list(folder)) ?? [] {
            guard let attributes = try? manager.attributesOfItem(atPath: folder.appendingPathComponent(path).path),
                let modified = attributes[.modificationDate] as? Date
            else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            stamps[path] = Stamp(modified: modified, size: size)
        }
        return FileSnapshot(stamps: stamps)
    }

    /// The paths added, removed or modified since `earlier`, sorted.
    public func changes(since earlier: FileSnapshot) -> [String] {
        let paths = Set(stamps.keys).union(earlier.stamps.keys)
        return paths.filter { stamps[$0] != earlier.stamps[$0] }.sorted()
    }
}
