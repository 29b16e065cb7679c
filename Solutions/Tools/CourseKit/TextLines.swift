/// Splits and joins text on `\n` only, so that a file rebuilt from its lines is byte for byte the
/// original (a trailing newline shows up as a last empty line).
enum TextLines {
    static func split(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func join(_ lines: [String]) -> String {
        lines.joined(separator: "\n")
    }

    /// The leading spaces and tabs of a line.
    static func indentation(of line: String) -> String {
        String(line.prefix { $0 == " " || $0 == "\t" })
    }

    /// The indices of the Markdown heading lines (`#`, `##`, ...) outside fenced code blocks.
    static func markdownHeadings(_ lines: [String]) -> [Int] {
        var inFence = false
        var headings: [Int] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle() }
            if !inFence, line.hasPrefix("#") { headings.append(index) }
        }
        return headings
    }
}
