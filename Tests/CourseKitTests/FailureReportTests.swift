import Testing

@testable import CourseKit

@Suite struct FailureReportTests {
    let output = """
        ◇ Test "stores once" started.
        ✘ Test "stores once" recorded an issue at StoreTests.swift:12:5: Caught error: exercise 02.1 is not implemented yet
        ✘ Test "stores once" failed after 0.010 seconds with 1 issue.
        ✘ Test "index "twice"" recorded an issue at StoreTests.swift:20:5: Expectation failed: (ids → []) == [1]
          ↳ 02.1: both users must see the message
        ✘ Test "index "twice"" failed after 0.020 seconds with 1 issue.
        ✘ Test "paging" recorded an issue at StoreTests.swift:30:5: Expectation failed: (page.count → 0) == 2
        ↳ the page is short
        ✘ Test "paging" failed after 0.030 seconds with 1 issue.
        ✔ Test "02.1 named in a passing test" passed after 0.01 seconds.
        ✘ Test run with 4 tests failed after 0.2 seconds with 3 issues.
        """

    @Test("failed tests are read with their issue lines, comments on ↳ lines included")
    func readsFailedTests() {
        let report = FailureReport.parse(output)
        #expect(report.failedTests.map(\.name) == ["stores once", "index \"twice\"", "paging"])
        #expect(report.failedTests[1].issueLines.count == 2)
    }

    @Test("a failed test none of whose issues names the exercise is reported")
    func findsSilentTests() {
        #expect(FailureReport.testsNotNaming("02.1", in: output) == ["paging"])
        #expect(FailureReport.testsNotNaming("02.2", in: output) == ["stores once", "index \"twice\"", "paging"])
    }

    @Test("a passing run has no failed tests")
    func passingRun() {
        #expect(FailureReport.parse("✔ Test run with 3 tests passed after 0.1 seconds.").failedTests.isEmpty)
    }
}
