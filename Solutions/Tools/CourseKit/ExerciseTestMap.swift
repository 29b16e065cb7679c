import Foundation

/// Which tests check which exercise of a lesson, read from the lesson's test sources.
///
/// The convention (README.md, "How the repository works"): a swift-testing suite or test that
/// checks exercise NN.K starts its display name with the id, e.g. `@Suite("04.1 Push window: ...")`
/// or `@Test("04.2 overdue pushes are re-sent ...")`. Several ids are written `03.1, 03.2` or as a
/// range `03.1–03.2`. The id then sits on the test itself, where its author writes it, and
/// swift-testing prints that name when the suite or test fails, so failures name the exercise too.
///
/// `swift test --filter` matches test identifiers (`Lesson04Tests.PushWindowTests/acknowledged()`),
/// not display names; the map turns each named suite or test into a pattern over identifiers.
public struct ExerciseTestMap: Sendable, Equatable {
    /// A suite or test whose display name starts with exercise ids.
    public struct TestReference: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case suite
            case test
        }

        public let kind: Kind
        /// The type name of a suite, or the base name of a test function.
        public let name: String
        public let displayName: String
        public let exercises: [String]
        public let location: SourceLocation

        public init(kind: Kind, name: String, displayName: String, exercises: [String], location: SourceLocation) {
            self.kind = kind
            self.name = name
            self.displayName = displayName
            self.exercises = exercises
            self.location = location
        }

        /// A regular expression for `swift test --filter` that matches this suite's tests (or this
        /// test) in `testTarget`, also when it is nested in another suite.
        public func filter(testTarget: String) -> String {
            switch kind {
            case .suite: return "^\(testTarget)\\.(.+/)?\(name)/"
            case .test: return "^\(testTarget)\\.(.+/)?\(name)\\("
            }
        }
    }

    public let testTarget: String
    public let references: [TestReference]
    /// Attributes that name an exercise but whose suite or test could not be found after them.
    public let unreadable: [MarkerProblem]

    public init(testTarget: String, references: [TestReference], unreadable: [MarkerProblem] = []) {
        self.testTarget = testTarget
        self.references = references
        self.unreadable = unreadable
    }

    /// The suites and tests that check `exercise`.
    public func tests(for exercise: String) -> [TestReference] {
        references.filter { $0.exercises.contains(exercise) }
    }

    /// The `--filter` patterns that run exactly the tests of `exercise` (empty when none is named).
    public func filters(for exercise: String) -> [String] {
        tests(for: exercise).map { $0.filter(testTarget: testTarget) }
    }

    /// What is wrong with the map of a lesson whose exercises are `exercises`: an exercise that no
    /// test names (so `course test N NN.K` would have nothing to run, and its failures would name
    /// nothing), an id in a test's name that is not an exercise of the lesson, and attributes whose
    /// suite or test could not be read. Empty when all is well.
    public func problems(exercises: [String]) -> [String] {
        var problems: [String] = []
        for id in exercises where tests(for: id).isEmpty {
            problems.append(
                "exercise \(id) has no test: start the display name of the suite or test that checks it "
                    + "with \"\(id) \" in Tests/\(testTarget)/")
        }
        let known = Set(exercises)
        for reference in references {
            for id in reference.exercises where !known.contains(id) {
                problems.append(
                    "\(reference.location): \(reference.kind.rawValue) \"\(reference.displayName)\" names \(id), "
                        + "which is not an exercise of this lesson")
            }
        }
        problems += unreadable.map(\.description)
        return problems
    }

    // MARK: - Reading test sources

    /// Reads every `.swift` file under `folder` (a missing folder has no tests).
    public static func load(from folder: URL, displayPath: String, testTarget: String) throws -> ExerciseTestMap {
        let files = try FileTree.read(folder).filter { $0.key.hasSuffix(".swift") }
        let texts = files.mapValues { String(decoding: $0, as: UTF8.self) }
        return scan(
            Dictionary(uniqueKeysWithValues: texts.map { (displayPath + "/" + $0.key, $0.value) }),
            testTarget: testTarget)
    }

    /// The map of the given sources (display path → text).
    public static func scan(_ files: [String: String], testTarget: String) -> ExerciseTestMap {
        var references: [TestReference] = []
        var unreadable: [MarkerProblem] = []
        for path in files.keys.sorted() {
            let lines = TextLines.split(files[path]!)
            for index in lines.indices {
                guard let attribute = Attribute.read(lines, at: index) else { continue }
                let ids = exerciseIDs(in: attribute.displayName)
                guard !ids.isEmpty else { continue }
                let location = SourceLocation(file: path, line: index + 1)
                guard let name = declaredName(of: attribute.kind, in: lines, after: attribute.end) else {
                    unreadable.append(
                        MarkerProblem(
                            location,
                            "cannot find the \(attribute.kind == .suite ? "type" : "function") that "
                                + "\"\(attribute.displayName)\" names (keep it right below the attribute)"))
                    continue
                }
                references.append(
                    TestReference(
                        kind: attribute.kind, name: name, displayName: attribute.displayName, exercises: ids,
                        location: location))
            }
        }
        return ExerciseTestMap(testTarget: testTarget, references: references, unreadable: unreadable)
    }

    /// The exercise ids of a display name: those it starts with, then those in parentheses at its
    /// end (`"a restart resumes above the bound (05.1, 05.2)"`), each once.
    public static func exerciseIDs(in displayName: String) -> [String] {
        var ids = exerciseIDs(leading: displayName)
        for id in exerciseIDs(trailing: displayName) where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// The ids in a closing parenthesis that holds nothing else: `"... (03.1, 03.3)"` → [03.1, 03.3];
    /// `"... (see 03.1)"` names none.
    public static func exerciseIDs(trailing displayName: String) -> [String] {
        guard displayName.hasSuffix(")"), let open = displayName.lastIndex(of: "(") else { return [] }
        let inside = displayName[displayName.index(after: open)..<displayName.index(before: displayName.endIndex)]
        // Only ids and their separators inside: `(see 05.1)` is a remark, not a list.
        let listCharacters = Set("0123456789., –-/+")
        guard inside.allSatisfy(listCharacters.contains) else { return [] }
        return exerciseIDs(leading: String(inside))
    }

    /// The exercise ids a display name starts with: `04.1 ...` → [04.1]; `03.1, 03.2 ...` and
    /// `03.1–03.2 ...` → [03.1, 03.2]. A lesson-wide name such as `04 ACK end to end` names none.
    public static func exerciseIDs(leading displayName: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(displayName)
        var pendingRange = false
        while let id = leadingID(&rest) {
            if pendingRange, let first = ids.last, let range = expand(from: first, to: id) {
                ids += range.dropFirst()
            } else {
                ids.append(id)
            }
            pendingRange = false
            let trimmed = rest.drop { $0 == " " }
            if trimmed.hasPrefix(",") || trimmed.hasPrefix("/") || trimmed.hasPrefix("+") {
                rest = trimmed.dropFirst().drop { $0 == " " }
            } else if trimmed.hasPrefix("–") || trimmed.hasPrefix("-") {
                rest = trimmed.dropFirst().drop { $0 == " " }
                pendingRange = true
            } else {
                break
            }
        }
        return ids
    }

    /// `NN.K` at the start of `text`, followed by a separator or the end; consumed from `text`.
    private static func leadingID(_ text: inout Substring) -> String? {
        let lesson = text.prefix { $0.isASCII && $0.isNumber }
        guard lesson.count == 2, text.dropFirst(2).first == "." else { return nil }
        let afterDot = text.dropFirst(3)
        let exercise = afterDot.prefix { $0.isASCII && $0.isNumber }
        guard !exercise.isEmpty else { return nil }
        let rest = afterDot.dropFirst(exercise.count)
        if let next = rest.first, next.isLetter || next.isNumber || next == "." { return nil }
        text = rest
        return "\(lesson).\(exercise)"
    }

    /// `03.1` to `03.3` → [03.1, 03.2, 03.3]; nil across lessons or backwards.
    private static func expand(from first: String, to last: String) -> [String]? {
        let a = first.split(separator: ".")
        let b = last.split(separator: ".")
        guard a.count == 2, b.count == 2, a[0] == b[0], let from = Int(a[1]), let to = Int(b[1]), from <= to else {
            return nil
        }
        return (from...to).map { "\(a[0]).\($0)" }
    }

    /// The name declared by the first declaration line after an attribute (further attributes,
    /// comments and blank lines in between are skipped).
    private static func declaredName(of kind: TestReference.Kind, in lines: [String], after end: Attribute.End)
        -> String?
    {
        var index = end.line
        var text = Substring(lines[index].dropFirst(end.column))
        var looked = 0
        while looked < 12 {
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if let name = declaration(kind, in: trimmed) { return name }
            let isSkippable =
                trimmed.isEmpty || trimmed.hasPrefix("@") || trimmed.hasPrefix("//") || trimmed.hasPrefix(")")
                || trimmed.hasPrefix("\"") || trimmed.hasPrefix(".")
            if !isSkippable && looked > 0 { return nil }
            index += 1
            looked += 1
            guard index < lines.count else { return nil }
            text = Substring(lines[index])
        }
        return nil
    }

    /// `struct Name`, `final class Name`, `enum Name`, `actor Name` (suites) or `func name(` (tests)
    /// in `line`, after any modifiers.
    private static func declaration(_ kind: TestReference.Kind, in line: Substring) -> String? {
        let keywords: Set<Substring> = kind == .suite ? ["struct", "class", "enum", "actor"] : ["func"]
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" || $0 == "<" || $0 == ":" || $0 == "{" })
        for (index, word) in words.enumerated() where keywords.contains(word) {
            guard index + 1 < words.count else { return nil }
            let name = words[index + 1].filter { $0 != "`" }
            return name.isEmpty ? nil : String(name)
        }
        return nil
    }

    /// A `@Suite(...)` or `@Test(...)` attribute whose first argument is a display name.
    struct Attribute {
        struct End {
            let line: Int
            let column: Int
        }

        let kind: TestReference.Kind
        let displayName: String
        /// Just after the attribute's closing parenthesis.
        let end: End

        static func read(_ lines: [String], at index: Int) -> Attribute? {
            let line = lines[index]
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let kind: TestReference.Kind
            if trimmed.hasPrefix("@Suite(") {
                kind = .suite
            } else if trimmed.hasPrefix("@Test(") {
                kind = .test
            } else {
                return nil
            }
            // Walk the arguments, which may span lines, to the closing parenthesis; the display
            // name is a string literal that comes first.
            let openColumn = line.count - trimmed.count + (kind == .suite ? 7 : 6)
            var depth = 1
            var displayName: String?
            var sawArgument = false
            var lineIndex = index
            var characters = Array(line.dropFirst(openColumn))
            var column = openColumn
            while lineIndex < lines.count && lineIndex < index + 20 {
                var position = 0
                while position < characters.count {
                    let character = characters[position]
                    if character == "\"" {
                        var literal = ""
                        position += 1
                        while position < characters.count, characters[position] != "\"" {
                            if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                            literal.append(characters[position])
                            position += 1
                        }
                        if !sawArgument { displayName = literal }
                        sawArgument = true
                    } else if character == "(" {
                        depth += 1
                        sawArgument = true
                    } else if character == ")" {
                        depth -= 1
                        if depth == 0 {
                            guard let displayName else { return nil }
                            return Attribute(
                                kind: kind, displayName: displayName,
                                end: End(line: lineIndex, column: column + position + 1))
                        }
                    } else if character != " " && character != "\t" {
                        sawArgument = true
                    }
                    position += 1
                }
                lineIndex += 1
                guard lineIndex < lines.count else { return nil }
                characters = Array(lines[lineIndex])
                column = 0
            }
            return nil
        }
    }
}
