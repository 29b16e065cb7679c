// LESSON 17 STARTER, generated from Solutions/IMCache/Tiered/ConsistentHashRing.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 17: which Redis instance holds a key, with consistent hashing and virtual nodes.
//
// Given. With `hash(key) % n`, adding a fifth instance to four moves about 4/5 of the keys, and
// every moved key is a miss that lands on the store at once. On a ring, each instance owns the
// arcs before its points, so adding one moves only the keys of the arcs it takes over (about
// 1/(n+1)). Each instance is placed at many points (virtual nodes) so its share stays near 1/n.

/// Maps keys to nodes on a hash ring; every process with the same nodes maps a key the same way.
public struct ConsistentHashRing<Node: Hashable & Sendable & CustomStringConvertible>: Sendable {
    /// Points per node.
    public let virtualNodes: Int
    private var points: [(hash: UInt64, node: Node)] = []
    public private(set) var nodes: [Node] = []

    public init(nodes: [Node] = [], virtualNodes: Int = 160) {
        self.virtualNodes = max(1, virtualNodes)
        for node in nodes { add(node) }
    }

    public mutating func add(_ node: Node) {
        guard !nodes.contains(node) else { return }
        nodes.append(node)
        for replica in 0..<virtualNodes {
            points.append((StableHash.hash("\(node)#\(replica)"), node))
        }
        points.sort { $0.hash < $1.hash }
    }

    public mutating func remove(_ node: Node) {
        nodes.removeAll { $0 == node }
        points.removeAll { $0.node == node }
    }

    /// The node owning `key`: the first point at or after its hash, wrapping around; nil when empty.
    public func node(for key: String) -> Node? {
        guard !points.isEmpty else { return nil }
        let hash = StableHash.hash(key)
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].hash < hash { low = middle + 1 } else { high = middle }
        }
        return points[low == points.count ? 0 : low].node
    }
}
