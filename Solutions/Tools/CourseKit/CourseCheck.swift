import Foundation

/// The outcome of one CI check, with the lines that explain a failure.
public struct CheckResult: Sendable {
    public let title: String
    public let passed: Bool
    public let details: [String]

    public init(title: String, passed: Bool, details: [String] = []) {
        self.title = title
        self.passed = passed
        self.details = details
    }

    public var report: String {
        ([(passed ? "PASS  " : "FAIL  ") + title] + details.map { "      " + $0 }).joined(separator: "\n")
    }
}

/// The checks that keep the course honest (`course check`); see DESIGN.md. The stub check, which
/// runs the tests once per exercise, is `StubCatchCheck`.
public struct CourseCheck: Sendable {
    public let workspace: CourseWorkspace
    public let runner: ProcessRunner

    public init(workspace: CourseWorkspace, runner: ProcessRunner = ProcessRunner()) {
        self.workspace = workspace
        self.runner = runner
    }

    /// 1. Markers are well-formed, every available lesson has at least two exercises, and planned
    /// lessons (which have no starter) have no markers.
    public func markers() -> CheckResult {
        var details: [String] = []
        var exerciseCount = 0
        for lesson in workspace.catalog.available {
            do {
                let count = try workspace.reference(lesson).exercises.count
                exerciseCount += count
                if count < 2 {
                    details.append(
                        "lesson \(lesson.code) (Solutions/\(lesson.module)) has \(count) exercise(s); at least 2 are needed")
                }
            } catch CourseError.malformedMarkers(let problems) {
                details += problems.map(\.description)
            } catch {
                details.append("lesson \(lesson.code): \(error)")
            }
        }
        for lesson in workspace.catalog.lessons where !lesson.isAvailable {
            let folder = workspace.solutions(lesson)
            for path in (try? FileTree.list(folder)) ?? [] where path.hasSuffix(".swift") {
                let text = (try? String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)) ?? ""
                for (index, line) in TextLines.split(text).enumerated() where ExerciseMarkerParser.looksLikeMarker(line) {
                    details.append(
                        "Solutions/\(lesson.module)/\(path):\(index + 1): lesson \(lesson.code) is planned, "
                            + "so its module must have no exercise markers (mark it available in Lessons/lessons.json)")
                }
            }
        }
        let available = workspace.catalog.available.count
        return CheckResult(
            title: "1. exercise markers well-formed (\(available) available lessons, \(exerciseCount) exercises)",
            passed: details.isEmpty, details: details)
    }

    /// 2. `Sources/` is exactly what `course generate` makes, and holds nothing else.
    public func startersInSync() -> CheckResult {
        var details: [String] = []
        let modules = Set(workspace.catalog.available.map(\.module))
        for lesson in workspace.catalog.available {
            do {
                let expected = try workspace.pristineStarter(lesson)
                let actual = try FileTree.read(workspace.sources(lesson))
                details += FileTree.differences(expected: expected, actual: actual)
                    .lines(prefix: "Sources/\(lesson.module)/")
            } catch CourseError.malformedMarkers {
                details.append("lesson \(lesson.code): no starter can be generated while its markers are broken (check 1)")
            } catch {
                details.append("lesson \(lesson.code): \(error)")
            }
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: workspace.sourcesRoot.path)) ?? []
        for entry in entries.sorted() where !entry.hasPrefix(".") && !modules.contains(entry) {
            details.append("extra:   Sources/\(entry) (only available lessons' modules belong in Sources/)")
        }
        if !details.isEmpty { details.append("run `swift run course generate` and commit the result") }
        return CheckResult(title: "2. starters in Sources/ in sync with Solutions/", passed: details.isEmpty, details: details)
    }

    /// 3. The committed manifest builds every lesson from the reference.
    public func manifestIsEmpty() -> CheckResult {
        let title = "3. Package.swift has `let startedLessons: Set<Int> = []`"
        do {
            let started = try workspace.startedLessons()
            guard started.isEmpty else {
                return CheckResult(title: title, passed: false, details: ["it is \(ManifestEditor.format(started))"])
            }
            return CheckResult(title: title, passed: true)
        } catch {
            return CheckResult(title: title, passed: false, details: ["\(error)"])
        }
    }

    /// 4. Every starter compiles, with all stubs in place, tests included. `IM_LESSONS` makes the
    /// manifest build every lesson from `Sources/` (SwiftPM re-evaluates the manifest when it changes).
    public func startersCompile() -> CheckResult {
        let title = "4. all starters compile (IM_LESSONS=all swift build --build-tests)"
        do {
            let result = try runner.run(
                ProcessRunner.swift("build", ["--build-tests"]), in: workspace.root,
                environment: ["IM_LESSONS": "all"])
            guard result.succeeded else {
                return CheckResult(
                    title: title, passed: false,
                    details: ["exit code \(result.exitCode) after \(Self.seconds(result.seconds))"]
                        + Self.errorLines(result.output))
            }
            return CheckResult(title: title + " in \(Self.seconds(result.seconds))", passed: true)
        } catch {
            return CheckResult(title: title, passed: false, details: ["\(error)"])
        }
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.0fs", value)
    }

    /// The compiler's error lines (at most 20), to show in the check's report.
    static func errorLines(_ output: String) -> [String] {
        let errors = output.split(separator: "\n").filter { $0.contains("error:") }.map(String.init)
        return Array(errors.prefix(20)) + (errors.count > 20 ? ["... \(errors.count - 20) more errors"] : [])
    }
}
