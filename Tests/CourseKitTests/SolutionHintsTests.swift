import Foundation
import Testing

@testable import CourseKit

@Suite struct SolutionHintsTests {
    let hints = """
        # Hints for lesson 02

        ## 02.1 Store once

        Think first.

        ---

        Then this:

        <!-- SOLUTION 02.1: stale -->
        ```swift
        old code
        ```
        <!-- END SOLUTION 02.1 -->

        And a word after it.

        ## 02.2 Recent

        Only one hint so far.

        """

    @Test("a solution block is rewritten from the reference, dedented, and one is added where missing")
    func writesSolutions() throws {
        let folder = try TemporaryFolder()
        let module = try Fixture.module(in: folder)
        let updated = SolutionHints.update(hints, exercises: module.exercises, path: "HINTS.md")
        #expect(updated.problems.isEmpty)
        #expect(
            updated.text.contains(
                """
                ```swift
                messages.append(message)
                return message
                ```
                <!-- END SOLUTION 02.1 -->

                And a word after it.
                """))
        #expect(!updated.text.contains("old code"))
        let book = HintBook.parse(updated.text)
        #expect(book.section("02.2")?.hints.count == 2)
        #expect(book.section("02.2")?.hints.last?.contains("Array(messages.suffix(10))") == true)
        #expect(book.section("02.1")?.hints.last?.contains("<!--") == false, "the markers are not shown to learners")
        // Generating twice changes nothing: the check compares the file with this.
        #expect(SolutionHints.update(updated.text, exercises: module.exercises, path: "HINTS.md").text == updated.text)
    }

    @Test("a solution that is not in the last hint, or for no exercise, or a missing section, is a problem")
    func reportsProblems() throws {
        let folder = try TemporaryFolder()
        let module = try Fixture.module(in: folder)
        let notLast = hints.replacingOccurrences(of: "And a word after it.", with: "---\n\nA later hint.")
        #expect(
            SolutionHints.update(notLast, exercises: module.exercises, path: "HINTS.md").problems == [
                "HINTS.md: the solution of 02.1 must be in its last hint (no `---` after it)"
            ])
        let stray = hints + "<!-- SOLUTION 02.9: x -->\n<!-- END SOLUTION 02.9 -->\n"
        #expect(
            SolutionHints.update(stray, exercises: module.exercises, path: "HINTS.md").problems.first?.contains(
                "02.9, which is not an exercise") == true)
        let noSection = hints.replacingOccurrences(of: "## 02.2 Recent", with: "## Appendix")
        #expect(
            SolutionHints.update(noSection, exercises: module.exercises, path: "HINTS.md").problems == [
                "HINTS.md: no section `## 02.2 title` for exercise 02.2"
            ])
    }
}
