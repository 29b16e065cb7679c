import CourseKit

/// What to say when a started lesson's code does not compile: every lesson's tests need the whole
/// server built (IMTestSupport uses IMServer, which uses every lesson module), so one broken lesson
/// stops them all.
enum CompileErrorAdvice {
    static func lines(for summary: TestRunSummary, testing lesson: Lesson, workspace: CourseWorkspace) -> [String] {
        let broken = summary.modulesWithCompileErrors.compactMap { module in
            workspace.catalog.available.first { $0.module == module }
        }
        guard let first = broken.first else { return [] }
        var lines = [
            "The compiler errors are in Sources/\(first.module) (lesson \(first.number))."
        ]
        if first.number != lesson.number {
            lines.append(
                "While lesson \(first.number) does not compile, no lesson's tests can build: fix it, or put it aside "
                    + "with swift run course reset \(first.number) (your copy is backed up).")
        }
        return lines
    }
}
