import Foundation
import Testing

@testable import CourseKit

@Suite struct BlockDiffTests {
    @Test func unifiedDiffFormat() throws {
        let diff = try #require(
            UnifiedDiff.diff(
                old: ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
                new: ["a", "b", "c", "d", "X", "f", "g", "h", "i"],
                oldLabel: "ref", newLabel: "yours", oldStart: 10, newStart: 20))
        #expect(
            diff == """
                --- ref
                +++ yours
                @@ -11,7 +21,7 @@
                 b
                 c
                 d
                -e
                +X
                 f
                 g
                 h
                """)
        #expect(UnifiedDiff.diff(old: ["a"], new: ["a"], oldLabel: "", newLabel: "") == nil)
    }

    @Test func unifiedDiffSeparatesFarChangesAndHandlesEmptySides() throws {
        let old = (1...20).map(String.init)
        var new = old
        new[1] = "two"
        new[18] = "nineteen"
        let diff = try #require(UnifiedDiff.diff(old: old, new: new, oldLabel: "a", newLabel: "b"))
        #expect(diff.components(separatedBy: "\n@@").count == 3)
        let added = try #require(UnifiedDiff.diff(old: [], new: ["x"], oldLabel: "a", newLabel: "b"))
        #expect(added.hasSuffix("@@ -0,0 +1,1 @@\n+x"))
    }

    @Test func comparesLearnerBlocksWithReferenceAndStarter() throws {
        let folder = try TemporaryFolder()
        let module = try Fixture.module(in: folder)
        let sources = folder.url.appendingPathComponent("Sources/IMStore")
        try FileTree.sync(StarterGenerator.files(for: module), to: sources)

        let pristine = try BlockDiff.compare(reference: module, sources: sources, sourcesDisplayPath: "Sources/IMStore")
        #expect(pristine.blocks.map(\.state) == [.untouched, .untouched])
        #expect(pristine.outside.isEmpty)
        #expect(pristine.changedCount == 0)

        // The learner writes 02.1 differently and 02.2 like the reference, and edits outside.
        var text = try folder.read("Sources/IMStore/Store.swift")
        text = text.replacingOccurrences(
            of: "        throw Exercise.notImplemented(\"02.1\", expected: \"the message stored once\")",
            with: "        messages.append(message)\n        return -1")
        text = text.replacingOccurrences(
            of: "        Exercise.report(\"02.2\")\n        return []", with: "        Array(messages.suffix(10))")
        text = text.replacingOccurrences(of: "struct Store {", with: "struct Store { // mine")
        try folder.write("Sources/IMStore/Store.swift", text)
        try folder.write("Sources/IMStore/Extra.swift", "")
        try FileManager.default.removeItem(at: sources.appendingPathComponent("Support/Helper.swift"))

        let comparison = try BlockDiff.compare(reference: module, sources: sources, sourcesDisplayPath: "Sources/IMStore")
        #expect(comparison.changedCount == 2)
        guard case .changed(let diff) = comparison.blocks[0].state else {
            Issue.record("02.1 should be changed: \(comparison.blocks[0].state)")
            return
        }
        #expect(diff.contains("--- Solutions/IMStore/Store.swift (exercise 02.1, reference)"))
        #expect(diff.contains("+++ Sources/IMStore/Store.swift (exercise 02.1, yours)"))
        #expect(diff.contains("@@ -6,2 +10,2 @@\n         messages.append(message)\n-        return message\n+        return -1"))
        #expect(comparison.blocks[1].state == .sameAsReference)

        #expect(
            comparison.outside.map(\.file) == [
                "Sources/IMStore/Support/Helper.swift", "Sources/IMStore/Extra.swift", "Sources/IMStore/Store.swift",
            ])
        guard case .changed(let outsideDiff?) = comparison.outside[2].kind else {
            Issue.record("Store.swift should differ outside its blocks")
            return
        }
        #expect(outsideDiff.contains("-struct Store {\n+struct Store { // mine"))
        #expect(!outsideDiff.contains("return -1"))
    }

    @Test func blocksWithoutMarkersOrFilesAreReported() throws {
        let folder = try TemporaryFolder()
        let module = try Fixture.module(in: folder)
        let sources = folder.url.appendingPathComponent("Sources/IMStore")
        try folder.write("Sources/IMStore/Other.swift", "")
        var comparison = try BlockDiff.compare(reference: module, sources: sources, sourcesDisplayPath: "Sources/IMStore")
        #expect(comparison.blocks.map(\.state) == [.fileMissing, .fileMissing])

        try folder.write("Sources/IMStore/Store.swift", "// BEGIN EXERCISE 02.2: x\n// END EXERCISE 02.2\n")
        comparison = try BlockDiff.compare(reference: module, sources: sources, sourcesDisplayPath: "Sources/IMStore")
        #expect(comparison.blocks[0].state == .markersMissing)
        guard case .changed = comparison.blocks[1].state else {
            Issue.record("an emptied block is a change")
            return
        }
    }
}
