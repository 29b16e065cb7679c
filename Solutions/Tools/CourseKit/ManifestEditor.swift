import Foundation

/// Reads and rewrites the one visible line of `Package.swift` that says which lessons build from
/// `Sources/`: `let startedLessons: Set<Int> = [1, 2]`. Only that line is touched; the rest of the
/// manifest (comments included) is kept byte for byte.
public enum ManifestEditor {
    static let declaration = "let startedLessons: Set<Int> ="

    public static func startedLessons(in manifest: String, path: String = "Package.swift") throws -> Set<Int> {
        let (index, line) = try findLine(in: TextLines.split(manifest), path: path)
        return try parse(line, location: SourceLocation(file: path, line: index + 1))
    }

    /// The manifest with the line set to `lessons`, sorted: `[]`, `[2]`, `[1, 3]`.
    public static func setting(_ lessons: Set<Int>, in manifest: String, path: String = "Package.swift") throws -> String {
        var lines = TextLines.split(manifest)
        let (index, line) = try findLine(in: lines, path: path)
        _ = try parse(line, location: SourceLocation(file: path, line: index + 1))
        let prefix = line[..<line.range(of: declaration)!.lowerBound]
        let comment = line.range(of: "//").map { "  " + line[$0.lowerBound...] } ?? ""
        lines[index] = String(prefix) + declaration + " " + format(lessons) + comment
        return TextLines.join(lines)
    }

    public static func adding(_ lesson: Int, to manifest: String, path: String = "Package.swift") throws -> String {
        try setting(startedLessons(in: manifest, path: path).union([lesson]), in: manifest, path: path)
    }

    public static func removing(_ lesson: Int, from manifest: String, path: String = "Package.swift") throws -> String {
        try setting(startedLessons(in: manifest, path: path).subtracting([lesson]), in: manifest, path: path)
    }

    public static func format(_ lessons: Set<Int>) -> String {
        "[" + lessons.sorted().map(String.init).joined(separator: ", ") + "]"
    }

    // MARK: - The file

    public static func startedLessons(inFile url: URL) throws -> Set<Int> {
        try startedLessons(in: read(url), path: url.lastPathComponent)
    }

    /// Rewrites the file only when the line changes, so that an idempotent call does not make
    /// SwiftPM reload the manifest.
    @discardableResult
    public static func update(_ url: URL, _ change: (Set<Int>) -> Set<Int>) throws -> (before: Set<Int>, after: Set<Int>) {
        let manifest = try read(url)
        let before = try startedLessons(in: manifest, path: url.lastPathComponent)
        let after = change(before)
        if after != before {
            let updated = try setting(after, in: manifest, path: url.lastPathComponent)
            do {
                try Data(updated.utf8).write(to: url, options: .atomic)
            } catch {
                throw CourseError.fileSystem(path: url.path, reason: "cannot be written: \(error.localizedDescription)")
            }
        }
        return (before, after)
    }

    static func read(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CourseError.fileSystem(path: url.path, reason: "cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - The line

    private static func findLine(in lines: [String], path: String) throws -> (Int, String) {
        let matches = lines.enumerated().filter { $0.element.trimmingLeadingWhitespace().hasPrefix(declaration) }
        guard matches.count == 1, let match = matches.first else {
            throw CourseError.manifestLineMissing(path: path)
        }
        return (match.offset, match.element)
    }

    private static func parse(_ line: String, location: SourceLocation) throws -> Set<Int> {
        guard let match = line.wholeMatch(of: #/[ \t]*let startedLessons: Set<Int> = \[([0-9, \t]*)\][ \t]*(//.*)?/#)
        else {
            throw CourseError.manifestLineUnreadable(location: location, line: line)
        }
        var lessons: Set<Int> = []
        for item in match.1.split(separator: ",") {
            let trimmed = item.filter { $0 != " " && $0 != "\t" }
            guard let number = Int(trimmed) else {
                throw CourseError.manifestLineUnreadable(location: location, line: line)
            }
            lessons.insert(number)
        }
        return lessons
    }
}
