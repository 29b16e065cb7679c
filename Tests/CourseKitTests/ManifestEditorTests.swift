import Foundation
import Testing

@testable import CourseKit

@Suite struct ManifestEditorTests {
    let manifest = """
        // swift-tools-version:6.2
        import PackageDescription

        // The lessons listed here build from YOUR code in Sources/.
        let startedLessons: Set<Int> = []

        let package = Package(name: "x")

        """

    @Test func readsTheLine() throws {
        #expect(try ManifestEditor.startedLessons(in: manifest) == [])
        let started = manifest.replacingOccurrences(of: "= []", with: "= [3, 1 ,2]")
        #expect(try ManifestEditor.startedLessons(in: started) == [1, 2, 3])
    }

    @Test func addsSortedAndChangesNothingElse() throws {
        let one = try ManifestEditor.adding(3, to: manifest)
        let two = try ManifestEditor.adding(1, to: one)
        #expect(two == manifest.replacingOccurrences(of: "= []", with: "= [1, 3]"))
        #expect(try ManifestEditor.adding(12, to: two).contains("let startedLessons: Set<Int> = [1, 3, 12]\n"))
    }

    @Test func addAndRemoveAreIdempotent() throws {
        let added = try ManifestEditor.adding(2, to: manifest)
        #expect(try ManifestEditor.adding(2, to: added) == added)
        let removed = try ManifestEditor.removing(2, from: added)
        #expect(removed == manifest)
        #expect(try ManifestEditor.removing(2, from: removed) == manifest)
    }

    @Test func keepsATrailingComment() throws {
        let commented = manifest.replacingOccurrences(of: "= []", with: "= [] // edited by the tool")
        #expect(try ManifestEditor.adding(4, to: commented).contains("= [4]  // edited by the tool\n"))
    }

    @Test func refusesAManifestWithoutTheLineOrWithTwo() {
        let without = manifest.replacingOccurrences(of: "let startedLessons: Set<Int> = []", with: "let x = 1")
        #expect(throws: CourseError.manifestLineMissing(path: "Package.swift")) {
            try ManifestEditor.adding(1, to: without)
        }
        let twice = manifest + "let startedLessons: Set<Int> = [1]\n"
        #expect(throws: CourseError.manifestLineMissing(path: "Package.swift")) {
            try ManifestEditor.startedLessons(in: twice)
        }
    }

    @Test func refusesALineItCannotRead() {
        let odd = manifest.replacingOccurrences(of: "= []", with: "= Set(1...3)")
        #expect(
            throws: CourseError.manifestLineUnreadable(
                location: SourceLocation(file: "Package.swift", line: 5), line: "let startedLessons: Set<Int> = Set(1...3)")
        ) {
            try ManifestEditor.adding(1, to: odd)
        }
    }

    @Test func updatesTheFileOnlyWhenTheLineChanges() throws {
        let folder = try TemporaryFolder()
        let url = try folder.write("Package.swift", manifest)
        let result = try ManifestEditor.update(url) { $0.union([2, 1]) }
        #expect(result.before == [] && result.after == [1, 2])
        #expect(try ManifestEditor.startedLessons(inFile: url) == [1, 2])
        let date = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        try ManifestEditor.update(url) { $0.union([1]) }
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date == date)
        try ManifestEditor.update(url) { _ in [] }
        #expect(try folder.read("Package.swift") == manifest)
    }
}
