import Foundation
import Testing

@testable import CourseKit

@Suite struct HintBookTests {
    let markdown = """
        # Hints for lesson 2

        Read the README first.

        ## 02.1 Store once, index twice

        Think of one table for messages and one for the index.
        ---
        Insert the message, then one index row per user.

        ```swift
        // --- not a separator inside code
        ---
        ```
        ---

        Use a transaction.

        ## 02.2: Recent contacts
        Group by the other user.

        ## Appendix
        Not a hint.
        """

    @Test func readsSectionsAndProgressiveHints() throws {
        let book = HintBook.parse(markdown)
        #expect(book.sections.map(\.id) == ["02.1", "02.2"])
        let first = try #require(book.section("02.1"))
        #expect(first.title == "Store once, index twice")
        #expect(first.hints.count == 3)
        #expect(first.hints[0] == "Think of one table for messages and one for the index.")
        #expect(first.hints[1].hasPrefix("Insert the message"))
        #expect(first.hints[1].contains("---\n```"))
        #expect(first.hints[2] == "Use a transaction.")
        let second = try #require(book.section("02.2"))
        #expect(second.title == "Recent contacts")
        #expect(second.hints == ["Group by the other user."])
    }

    @Test func missingSectionAndEmptyBook() {
        #expect(HintBook.parse(markdown).section("02.9") == nil)
        #expect(HintBook.parse("# Nothing yet\n").sections.isEmpty)
    }

    @Test func missingFileIsAClearError() throws {
        let folder = try TemporaryFolder()
        let url = folder.url.appendingPathComponent("HINTS.md")
        #expect(throws: CourseError.hintsMissing(path: url.path)) { try HintBook.load(from: url) }
    }
}
