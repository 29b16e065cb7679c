// Lesson 19 tests, exercise 19.4: a message's spans assembled into a tree.

import IMObservability
import Testing

@Suite("19.4 span tree")
struct SpanTreeTests {
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    func span(_ id: String, _ parent: String?, _ name: String, trace: String? = nil) -> SpanRecord {
        SpanRecord(traceID: trace ?? self.trace, spanID: id, parentSpanID: parent, name: name)
    }

    @Test("19.4: children hang under their parents; a span whose parent never arrived is a root")
    func assembles() throws {
        let records = [
            span("c", "b", "im.store"), span("e", "b", "im.ack"), span("b", "a", "im.gateway.send"),
            span("d", "b", "im.push"), span("x", nil, "other", trace: "ffffffffffffffffffffffffffffffff"),
        ]
        let tree = try SpanTree(traceID: trace, records: records)
        #expect(tree.spans.count == 4, "19.4: only the trace's own spans are kept")
        #expect(tree.roots.map(\.spanID) == ["b"], "19.4: `b`'s parent `a` (the client's span) was not received: b is the root")
        #expect(
            tree.children["b"]?.map(\.name) == ["im.ack", "im.push", "im.store"],
            "19.4: the children of b, by name")
        #expect(tree.path(to: records[0]) == ["im.gateway.send", "im.store"])
    }

    @Test("19.4: an empty string parent is no parent; duplicates, cycles and empty traces are refused")
    func refuses() {
        #expect((try? SpanTree(traceID: trace, records: [span("a", "", "root")]))?.roots.count == 1, "19.4: \"\" means no parent")
        #expect(throws: SpanTreeError.duplicateSpan("a"), "19.4: two spans with one id") {
            try SpanTree(traceID: trace, records: [span("a", nil, "x"), span("a", nil, "y")])
        }
        #expect(throws: SpanTreeError.empty, "19.4: no span of the trace") {
            try SpanTree(traceID: trace, records: [])
        }
        #expect(throws: SpanTreeError.self, "19.4: a → b → a is a cycle") {
            try SpanTree(traceID: trace, records: [span("a", "b", "x"), span("b", "a", "y"), span("r", nil, "root")])
        }
    }
}
