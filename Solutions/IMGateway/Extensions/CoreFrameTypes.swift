// Lesson 12 (for every later lesson): which dotted frame types carry the IM's core work.
//
// Under overload lesson 12 sheds what is not core first. For the frames of lesson 03 it knows
// which are which (`send` and `sync` are core, `read` is not); for a later lesson's frames only
// that lesson knows: a group's messages are core, a live room's comments are not (they are lossy
// by design). Each extension names its core types (`ServerExtension.coreFrameTypes`); the server
// collects them here, and the flow-control handler asks.

import Synchronization

/// The dotted frame types the extensions of a server call core.
public final class CoreFrameTypes: Sendable {
    private let types = Mutex<Set<String>>([])

    public init(_ types: Set<String> = []) {
        self.types.withLock { $0 = types }
    }

    public func insert(contentsOf more: Set<String>) {
        types.withLock { $0.formUnion(more) }
    }

    public func contains(_ type: String) -> Bool {
        types.withLock { $0.contains(type) }
    }
}
