// LESSON 19 STARTER, generated from Solutions/IMObservability/SpanTree.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 19: one message's spans put back together (exercise 19.4).
//
// Spans reach a trace store one by one, from several processes, in any order, and some never
// arrive (a client that exports nothing, a hop that is not instrumented). What an operator looks
// at is the tree: which hop called which, and where the time went. Assembling it is what a
// tracing back end does first; this lesson's tests check a message's journey through it.

import CourseSupport

/// One finished span, as an exporter sends it (ids in lowercase hex).
public struct SpanRecord: Hashable, Sendable, Codable {
    public let traceID: String
    public let spanID: String
    /// Nil (or empty on the wire) for the first span of a trace.
    public let parentSpanID: String?
    public let name: String
    /// Attribute values as text.
    public let attributes: [String: String]

    public init(traceID: String, spanID: String, parentSpanID: String?, name: String, attributes: [String: String] = [:]) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.attributes = attributes
    }
}

/// Why spans do not make a tree.
public enum SpanTreeError: Error, Equatable, Sendable {
    /// No span of the trace was given.
    case empty
    /// Two spans share an id.
    case duplicateSpan(String)
    /// Following parents from this span comes back to it.
    case cycle(String)
}

/// The spans of one trace as a tree (a forest when parents are missing).
public struct SpanTree: Sendable {
    public let traceID: String
    /// Every span of the trace, by id.
    public let spans: [String: SpanRecord]
    /// The children of each span id, ordered by name then id (export order is not meaningful).
    public let children: [String: [SpanRecord]]
    /// The spans whose parent is not among `spans`: the root, and the top of any part whose
    /// parent was never received (its `parentSpanID` says which span is missing).
    public let roots: [SpanRecord]

    /// Assembles the spans of `traceID` from `records` (spans of other traces are ignored).
    public init(traceID: String, records: [SpanRecord]) throws {
        // BEGIN EXERCISE 19.4: Keep the trace's spans by id (duplicate id: error), group children by parent id, roots = parent nil/empty or unknown, and refuse a cycle.
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 19
        throw Exercise.notImplemented("19.4", expected: "the trace's spans by id, children grouped by parent id, roots = spans whose parent is absent, duplicateSpan / cycle / empty refused")
        // END EXERCISE 19.4
    }

    /// The children of `span` named `name`.
    public func children(of span: SpanRecord, named name: String) -> [SpanRecord] {
        (children[span.spanID] ?? []).filter { $0.name == name }
    }

    /// The names from a root down to `span`.
    public func path(to span: SpanRecord) -> [String] {
        var names = [span.name]
        var current = span.parentSpanID
        while let id = current, let parent = spans[id] {
            names.insert(parent.name, at: 0)
            current = parent.parentSpanID
        }
        return names
    }
}
