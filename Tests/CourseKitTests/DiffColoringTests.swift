import Testing

@testable import CourseKit

@Suite("course diff colours only a terminal's output")
struct DiffColoringTests {
    @Test("colour on a terminal unless NO_COLOR is set; never when piped")
    func whenWanted() {
        #expect(DiffColoring.isWanted(outputIsTerminal: true, environment: [:]))
        #expect(DiffColoring.isWanted(outputIsTerminal: true, environment: ["NO_COLOR": ""]), "an empty NO_COLOR is unset")
        #expect(!DiffColoring.isWanted(outputIsTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!DiffColoring.isWanted(outputIsTerminal: false, environment: [:]))
    }

    @Test("removed lines red, added green, hunk headers cyan, file headers bold, context plain")
    func colours() {
        let diff = "--- a\n+++ b\n@@ -1,2 +1,2 @@\n same\n-old\n+new"
        let lines = DiffColoring.colorize(diff).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 6)
        #expect(lines[0] == "\u{1B}[1m--- a\u{1B}[0m")
        #expect(lines[1] == "\u{1B}[1m+++ b\u{1B}[0m")
        #expect(lines[2] == "\u{1B}[36m@@ -1,2 +1,2 @@\u{1B}[0m")
        #expect(lines[3] == " same")
        #expect(lines[4] == "\u{1B}[31m-old\u{1B}[0m")
        #expect(lines[5] == "\u{1B}[32m+new\u{1B}[0m")
    }
}
