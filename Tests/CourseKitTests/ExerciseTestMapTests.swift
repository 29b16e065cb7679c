import Foundation
import Testing

@testable import CourseKit

@Suite("Exercise → tests map (ids in swift-testing display names)")
struct ExerciseTestMapTests {
    static let source = """
        import Testing

        @Suite("04.1 Push window: ACKs")
        struct PushWindowTests {
            @Test("an acknowledged push is removed once")
            func acknowledged() {}
        }

        @Suite("04 ACK end to end", .serialized)
        struct DeliveryEndToEndTests {
            @Test("04.2 an unacknowledged push is re-sent")
            func resent() async throws {}

            @Test(
                "04.1, 04.2 acknowledged pushes are never re-sent",
                arguments: [1, 2])
            @available(macOS 15, *)
            func neverResent(count: Int) {}

            @Test("plain test") func plain() {}
        }

        @Suite("03.1–03.3 Session map", .serialized) final class SessionTests {
            @Test("04.3 named in another line") func another() {}
        }

        """

    @Test("suites and tests whose names start with ids are found, with the declaration below them")
    func scansSuitesAndTests() {
        let map = ExerciseTestMap.scan(["Tests/Lesson04Tests/A.swift": Self.source], testTarget: "Lesson04Tests")
        #expect(map.tests(for: "04.1").map(\.name) == ["PushWindowTests", "neverResent"])
        #expect(map.tests(for: "04.2").map(\.name) == ["resent", "neverResent"])
        #expect(map.tests(for: "03.2").map(\.name) == ["SessionTests"])
        #expect(map.tests(for: "04.3").map(\.name) == ["another"])
        #expect(map.tests(for: "04.1").first?.location == SourceLocation(file: "Tests/Lesson04Tests/A.swift", line: 3))
        #expect(map.unreadable.isEmpty)
        #expect(!map.references.contains { $0.name == "DeliveryEndToEndTests" || $0.name == "plain" })
    }

    @Test("filters match swift-testing's identifiers of the suite's tests, or of the one test, also when nested")
    func filtersMatchIdentifiers() throws {
        let map = ExerciseTestMap.scan(["A.swift": Self.source], testTarget: "Lesson04Tests")
        let filters = map.filters(for: "04.1")
        #expect(filters == [#"^Lesson04Tests\.(.+/)?PushWindowTests/"#, #"^Lesson04Tests\.(.+/)?neverResent\("#])
        let suite = try Regex(filters[0])
        #expect("Lesson04Tests.PushWindowTests/acknowledged()".contains(suite))
        #expect("Lesson04Tests.Outer/PushWindowTests/acknowledged()".contains(suite))
        #expect(!"Lesson04Tests.OtherPushWindowTests/acknowledged()".contains(suite))
        #expect(!"Lesson14Tests.PushWindowTests/acknowledged()".contains(suite))
        let test = try Regex(filters[1])
        #expect("Lesson04Tests.DeliveryEndToEndTests/neverResent(count:)".contains(test))
        #expect(!"Lesson04Tests.DeliveryEndToEndTests/neverResentAgain()".contains(test))
    }

    @Test("ids are read from the start of a name: one, a list, a range; a lesson number alone is none")
    func leadingIDs() {
        #expect(ExerciseTestMap.exerciseIDs(leading: "04.1 Push window") == ["04.1"])
        #expect(ExerciseTestMap.exerciseIDs(leading: "04.1, 04.2 both") == ["04.1", "04.2"])
        #expect(ExerciseTestMap.exerciseIDs(leading: "03.1–03.3 range") == ["03.1", "03.2", "03.3"])
        #expect(ExerciseTestMap.exerciseIDs(leading: "03.1-03.2 ascii range") == ["03.1", "03.2"])
        #expect(ExerciseTestMap.exerciseIDs(leading: "11.2: colon") == ["11.2"])
        #expect(ExerciseTestMap.exerciseIDs(leading: "04 ACK end to end").isEmpty)
        #expect(ExerciseTestMap.exerciseIDs(leading: "04.1x not an id").isEmpty)
        #expect(ExerciseTestMap.exerciseIDs(leading: "1.5 seconds later").isEmpty)
        #expect(ExerciseTestMap.exerciseIDs(leading: "the 04.1 case").isEmpty)
    }

    @Test("ids may also close the name in parentheses, as course check's stub runs ask failing tests to")
    func trailingIDs() {
        #expect(ExerciseTestMap.exerciseIDs(in: "a restart resumes above the bound (05.1)") == ["05.1"])
        #expect(ExerciseTestMap.exerciseIDs(in: "killed and restarted (05.1, 05.2)") == ["05.1", "05.2"])
        #expect(ExerciseTestMap.exerciseIDs(in: "03.1 session map, also (03.1–03.3)") == ["03.1", "03.2", "03.3"])
        #expect(ExerciseTestMap.exerciseIDs(in: "a note (see 05.1)").isEmpty)
        #expect(ExerciseTestMap.exerciseIDs(in: "a retried send (its answer was lost)").isEmpty)
        #expect(ExerciseTestMap.exerciseIDs(in: "05.2 both ends (05.1)") == ["05.2", "05.1"])
    }

    @Test("the check reports an exercise no test names, an id that is no exercise, and an attribute without a declaration")
    func problems() {
        let broken = """
            @Suite("04.9 Stale")
            let notASuite = 1
            """
        let map = ExerciseTestMap.scan(["A.swift": Self.source, "B.swift": broken], testTarget: "Lesson04Tests")
        let problems = map.problems(exercises: ["04.1", "04.2", "04.3", "04.4"])
        #expect(problems.count == 5)
        #expect(problems.contains { $0.hasPrefix("exercise 04.4 has no test") })
        #expect(problems.contains { $0.contains("A.swift:23") && $0.contains("03.1") })
        #expect(problems.contains { $0.hasPrefix("B.swift:1: cannot find the type") })
    }

    @Test("in this repository every exercise of every lesson is named by a test, and every named id is an exercise")
    func repositoryIsMapped() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let workspace = try CourseWorkspace(root: root)
        for lesson in workspace.catalog.available {
            let exercises = try workspace.reference(lesson).exerciseIDs
            let problems = try workspace.exerciseTests(lesson).problems(exercises: exercises)
            #expect(problems.isEmpty, "lesson \(lesson.code): \(problems.joined(separator: "; ")) (swift run course test-map)")
        }
    }
}
