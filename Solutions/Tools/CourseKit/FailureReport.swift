import Foundation

/// The failing tests of a swift-testing run, read from its console output, and what each said.
///
/// swift-testing prints each issue as `✘ Test "name" recorded an issue at File.swift:12:5: ...`,
/// followed by its comments on `↳` lines, and each failed test as `✘ Test "name" failed after ...`.
/// `course check` uses it to insist that every test a stub breaks names that stub's exercise, so a
/// learner never meets a failure that does not say which exercise to fix.
public struct FailureReport: Sendable, Equatable {
    /// Failed tests by display name, in the order they failed, each with its issue lines.
    public struct FailedTest: Sendable, Equatable {
        public let name: String
        public var issueLines: [String]
    }

    public let failedTests: [FailedTest]

    public static func parse(_ output: String) -> FailureReport {
        var issues: [String: [String]] = [:]
        var failed: [String] = []
        var current: String?
        for rawLine in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.drop { $0 == " " }
            if line.hasPrefix("↳"), let test = current {
                issues[test, default: []].append(String(line))
                continue
            }
            current = nil
            guard let name = testName(line) else { continue }
            let rest = line.dropFirst("✘ Test \"".count + name.count + 1)
            if rest.hasPrefix(" recorded an issue") {
                issues[name, default: []].append(String(line))
                current = name
            } else if rest.hasPrefix(" failed"), !failed.contains(name) {
                failed.append(name)
            }
        }
        return FailureReport(failedTests: failed.map { FailedTest(name: $0, issueLines: issues[$0] ?? []) })
    }

    /// `name` in a line `✘ Test "name" ...`. A name may itself hold quotes, so the closing quote is
    /// the last one before ` recorded an issue` or ` failed`.
    static func testName(_ line: Substring) -> String? {
        let prefix = "✘ Test \""
        guard line.hasPrefix(prefix) else { return nil }
        let afterPrefix = line.dropFirst(prefix.count)
        for marker in ["\" recorded an issue", "\" failed"] {
            if let range = afterPrefix.range(of: marker) {
                return String(afterPrefix[..<range.lowerBound])
            }
        }
        return nil
    }

    /// The failed tests none of whose issues name `exerciseID`.
    public func testsNotNaming(_ exerciseID: String) -> [String] {
        failedTests.filter { test in
            !test.issueLines.contains { ExerciseID.occurs(exerciseID, in: Substring($0)) }
        }.map(\.name)
    }

    public static func testsNotNaming(_ exerciseID: String, in output: String) -> [String] {
        parse(output).testsNotNaming(exerciseID)
    }
}
