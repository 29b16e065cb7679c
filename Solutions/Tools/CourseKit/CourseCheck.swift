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
        for lesson in workspace.catalog.available {
            do {
                let hints = try workspace.generatedHints(lesson)
                details += hints.problems
                if hints.expected != hints.actual {
                    details.append("changed: \(workspace.relative(workspace.hints(lesson))) (a solution hint is out of date)")
                }
            } catch CourseError.malformedMarkers {
                continue  // reported above
            } catch {
                details.append("lesson \(lesson.code): \(error)")
            }
        }
        if !details.isEmpty { details.append("run `swift run course generate` and commit the result") }
        return CheckResult(
            title: "2. starters in Sources/ and solution hints in HINTS.md in sync with Solutions/", passed: details.isEmpty,
            details: details)
    }

    /// 5. Each lesson's text and hints have one section per exercise of its code, and none for
    /// exercises that do not exist: `### NN.K` under the README's exercises, `## NN.K` in HINTS.md.
    /// And every exercise has tests that carry its id in their titles (`ExerciseTestMap`).
    public func textsMatchExercises() -> CheckResult {
        var details: [String] = []
        for lesson in workspace.catalog.available {
            guard let ids = try? workspace.reference(lesson).exerciseIDs else { continue }  // check 1 reports it
            let readme = workspace.text(lesson)
            let readmeIDs = Self.headingIDs(in: readme, level: "###")
            let hintIDs = Self.headingIDs(in: workspace.hints(lesson), level: "##")
            for (file, found, heading) in [(readme, readmeIDs, "###"), (workspace.hints(lesson), hintIDs, "##")] {
                let shown = workspace.relative(file)
                for id in ids where !found.contains(id) {
                    details.append("\(shown): no section `\(heading) \(id) ...` for exercise \(id) of Solutions/\(lesson.module)")
                }
                for id in found where !ids.contains(id) {
                    details.append("\(shown): a section for \(id), which is not an exercise in Solutions/\(lesson.module)")
                }
            }
            // `course test N NN.K` finds an exercise's tests by the ids in their titles.
            do {
                details += try workspace.exerciseTests(lesson).problems(exercises: ids).map {
                    "Tests/\(lesson.testTarget): \($0)"
                }
            } catch {
                details.append("Tests/\(lesson.testTarget): \(error)")
            }
        }
        return CheckResult(
            title: "5. every exercise has its section in the lesson text and in its hints, and tests named for it; and no other",
            passed: details.isEmpty, details: details)
    }

    /// The exercise ids of the headings `level NN.K ...` of a Markdown file, outside code fences.
    static func headingIDs(in url: URL, level: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let lines = TextLines.split(String(decoding: data, as: UTF8.self))
        var ids: [String] = []
        for line in TextLines.markdownHeadings(lines).map({ lines[$0] }) where line.hasPrefix(level + " ") {
            if let match = line.dropFirst(level.count + 1).prefixMatch(of: #/([0-9]{2}\.[0-9]+)/#) {
                ids.append(String(match.1))
            }
        }
        return ids
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
