/// ANSI colours for a unified diff, used only where a terminal shows them.
public enum DiffColoring {
    static let red = "\u{1B}[31m"
    static let green = "\u{1B}[32m"
    static let cyan = "\u{1B}[36m"
    static let bold = "\u{1B}[1m"
    static let reset = "\u{1B}[0m"

    /// Colour when standard output is a terminal and `NO_COLOR` is not set to a non-empty value
    /// (https://no-color.org); plain text when piped or redirected.
    public static func isWanted(outputIsTerminal: Bool, environment: [String: String]) -> Bool {
        guard outputIsTerminal else { return false }
        return (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// The diff with removed lines red, added lines green, hunk headers cyan and file headers bold.
    public static func colorize(_ diff: String) -> String {
        TextLines.split(diff).map(colorize(line:)).joined(separator: "\n")
    }

    static func colorize(line: String) -> String {
        let color: String
        if line.hasPrefix("+++") || line.hasPrefix("---") {
            color = bold
        } else if line.hasPrefix("+") {
            color = green
        } else if line.hasPrefix("-") {
            color = red
        } else if line.hasPrefix("@@") {
            color = cyan
        } else {
            return line
        }
        return color + line + reset
    }
}
