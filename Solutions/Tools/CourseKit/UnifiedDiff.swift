/// A small unified diff (the `diff -u` format) of two lists of lines. Exercise blocks are short, so
/// a longest-common-subsequence table is fast enough and keeps the tool free of a `diff` binary.
public enum UnifiedDiff {
    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The diff, or nil when the lines are equal. `oldStart`/`newStart` are the file line numbers of
    /// the first line of each side, so that hunk headers point into the real files.
    public static func diff(
        old: [String], new: [String], oldLabel: String, newLabel: String,
        oldStart: Int = 1, newStart: Int = 1, context: Int = 3
    ) -> String? {
        guard old != new else { return nil }
        let edits = self.edits(old, new)
        var output = ["--- \(oldLabel)", "+++ \(newLabel)"]
        for hunk in hunks(edits, context: context) {
            output += render(hunk, edits: edits, oldStart: oldStart, newStart: newStart)
        }
        return output.joined(separator: "\n")
    }

    /// The edit script: common lines, lines only in `old`, lines only in `new`.
    static func edits(_ old: [String], _ new: [String]) -> [Edit] {
        // Common prefix and suffix need no table; only the middle does.
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])

        // lcs[i][j] = length of the longest common subsequence of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var middle: [Edit] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                middle.append(.same(a[i]))
                i += 1
                j += 1
            } else if j == b.count || (i < a.count && lcs[i + 1][j] >= lcs[i][j + 1]) {
                // Removals before additions within a change, as `diff -u` prints them.
                middle.append(.removed(a[i]))
                i += 1
            } else {
                middle.append(.added(b[j]))
                j += 1
            }
        }
        return old[..<prefix].map(Edit.same) + middle + old[(old.count - suffix)...].map(Edit.same)
    }

    /// Ranges of `edits` to print: each change with up to `context` common lines around it, merged
    /// when they touch.
    static func hunks(_ edits: [Edit], context: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for (index, edit) in edits.enumerated() {
            if case .same = edit { continue }
            let range = max(0, index - context)..<min(edits.count, index + context + 1)
            if let last = ranges.last, range.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
        return ranges
    }

    private static func render(_ hunk: Range<Int>, edits: [Edit], oldStart: Int, newStart: Int) -> [String] {
        // Line numbers where the hunk begins: count the lines of each side before it.
        var oldLine = oldStart
        var newLine = newStart
        for edit in edits[..<hunk.lowerBound] {
            switch edit {
            case .same: oldLine += 1; newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        var body: [String] = []
        var oldCount = 0
        var newCount = 0
        for edit in edits[hunk] {
            switch edit {
            case .same(let line): body.append(" " + line); oldCount += 1; newCount += 1
            case .removed(let line): body.append("-" + line); oldCount += 1
            case .added(let line): body.append("+" + line); newCount += 1
            }
        }
        // As in `diff -u`, an empty side is numbered by the line before it.
        let oldNumber = oldCount == 0 ? oldLine - 1 : oldLine
        let newNumber = newCount == 0 ? newLine - 1 : newLine
        return ["@@ -\(oldNumber),\(oldCount) +\(newNumber),\(newCount) @@"] + body
    }
}
