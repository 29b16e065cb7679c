import Foundation

/// An exercise block as found in the learner's copy: whatever lies between the BEGIN and END lines.
/// Read leniently, because the learner's file is work in progress, not a reference.
public struct LearnerBlock: Sendable, Hashable {
    public let id: String
    /// Line numbers of the BEGIN and END lines.
    public let beginLine: Int
    public let endLine: Int
    public let lines: [String]

    /// The blocks of a file; unmatched BEGIN or END lines are ignored.
    public static func extract(from text: String) -> [LearnerBlock] {
        var blocks: [LearnerBlock] = []
        var open: (id: String, line: Int, lines: [String])?
        for (index, line) in TextLines.split(text).enumerated() {
            if let begin = ExerciseMarkerParser.beginMarker(line) {
                open = (begin.id, index + 1, [])
            } else if let end = ExerciseMarkerParser.endMarker(line), let block = open {
                if end == block.id {
                    blocks.append(LearnerBlock(id: end, beginLine: block.line, endLine: index + 1, lines: block.lines))
                }
                open = nil
            } else {
                open?.lines.append(line)
            }
        }
        return blocks
    }

    /// The file with every block's content removed (BEGIN and END lines kept): what must match the
    /// starter outside the exercises.
    static func skeleton(of text: String) -> [String] {
        var result: [String] = []
        var inside: String?
        for line in TextLines.split(text) {
            if let begin = ExerciseMarkerParser.beginMarker(line), inside == nil {
                inside = begin.id
                result.append(line)
            } else if let end = ExerciseMarkerParser.endMarker(line), end == inside {
                inside = nil
                result.append(line)
            } else if inside == nil {
                result.append(line)
            }
        }
        return result
    }
}

/// How the learner's copy of a lesson compares with the reference and with the pristine starter.
public struct LessonComparison: Sendable {
    public enum BlockState: Sendable, Hashable {
        /// The file of the exercise is missing from Sources.
        case fileMissing
        /// The file is there but the BEGIN/END lines of the exercise are not.
        case markersMissing
        /// Still the stub of the starter.
        case untouched
        /// The same lines as the reference.
        case sameAsReference
        /// Changed from the stub; `diff` is the unified diff reference → learner.
        case changed(diff: String)
    }

    public struct Block: Sendable, Hashable {
        public let exercise: ExerciseBlock
        /// The learner's file, e.g. `Sources/IMStore/Store.swift`.
        public let learnerFile: String
        public let state: BlockState

        /// Whether the learner has done something in this block.
        public var isChanged: Bool {
            switch state {
            case .untouched, .fileMissing: return false
            case .markersMissing, .sameAsReference, .changed: return true
            }
        }
    }

    /// A file whose code outside the exercise blocks differs from the starter.
    public struct OutsideChange: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            case missing
            case extra
            /// `diff` compares the starter and the learner's file with exercise contents left out.
            case changed(diff: String?)
        }

        public let file: String
        public let kind: Kind
    }

    public let blocks: [Block]
    public let outside: [OutsideChange]

    public var changedCount: Int { blocks.filter(\.isChanged).count }
}

/// Compares `Sources/<Module>` with the reference and with the pristine starter.
public enum BlockDiff {
    public static func compare(
        reference: ReferenceModule, sources: URL, sourcesDisplayPath: String
    ) throws -> LessonComparison {
        let learnerFiles = try FileTree.read(sources)
        let starter = StarterGenerator.files(for: reference)
        var blocks: [LessonComparison.Block] = []

        for file in reference.files {
            guard case .swift(let marked) = file.content, !marked.exercises.isEmpty else { continue }
            let learnerPath = sourcesDisplayPath + "/" + file.relativePath
            guard let data = learnerFiles[file.relativePath] else {
                blocks += marked.exercises.map { .init(exercise: $0, learnerFile: learnerPath, state: .fileMissing) }
                continue
            }
            let learnerBlocks = LearnerBlock.extract(from: String(decoding: data, as: UTF8.self))
            for exercise in marked.exercises {
                let state = compare(exercise, learnerBlocks.first { $0.id == exercise.id }, learnerPath: learnerPath)
                blocks.append(.init(exercise: exercise, learnerFile: learnerPath, state: state))
            }
        }

        var outside: [LessonComparison.OutsideChange] = []
        let differences = FileTree.differences(expected: starter, actual: learnerFiles)
        outside += differences.missing.map { .init(file: sourcesDisplayPath + "/" + $0, kind: .missing) }
        outside += differences.extra.map { .init(file: sourcesDisplayPath + "/" + $0, kind: .extra) }
        for path in differences.changed {
            let shown = sourcesDisplayPath + "/" + path
            guard path.hasSuffix(".swift") else {
                outside.append(.init(file: shown, kind: .changed(diff: nil)))
                continue
            }
            let expected = LearnerBlock.skeleton(of: String(decoding: starter[path]!, as: UTF8.self))
            let actual = LearnerBlock.skeleton(of: String(decoding: learnerFiles[path]!, as: UTF8.self))
            if let diff = UnifiedDiff.diff(
                old: expected, new: actual,
                oldLabel: "\(shown) (starter, exercise contents left out)",
                newLabel: "\(shown) (yours, exercise contents left out)")
            {
                outside.append(.init(file: shown, kind: .changed(diff: diff)))
            }
        }
        return LessonComparison(blocks: blocks, outside: outside)
    }

    static func compare(
        _ exercise: ExerciseBlock, _ learner: LearnerBlock?, learnerPath: String
    ) -> LessonComparison.BlockState {
        guard let learner else { return .markersMissing }
        if learner.lines == exercise.starterLines { return .untouched }
        // The generated TODO line is not the learner's code: leave it out of the comparison.
        let code = learner.lines.filter { $0 != exercise.todoLine }
        if code == exercise.referenceLines { return .sameAsReference }
        let diff = UnifiedDiff.diff(
            old: exercise.referenceLines, new: code,
            oldLabel: "\(exercise.location.file) (exercise \(exercise.id), reference)",
            newLabel: "\(learnerPath) (exercise \(exercise.id), yours)",
            oldStart: exercise.location.line + 1,
            newStart: learner.beginLine + (learner.lines.first == exercise.todoLine ? 2 : 1))
        return .changed(diff: diff ?? "")
    }
}
