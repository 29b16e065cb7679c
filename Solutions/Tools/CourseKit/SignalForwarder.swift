import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Passes Ctrl-C (SIGINT) and SIGTERM on to a child process while it runs.
///
/// Foundation's `Process` starts the child in a process group of its own, so the signal a terminal
/// sends on Ctrl-C reaches only the course tool; without this, `swift test` would go on running
/// after the tool is gone. The signals' previous handling (another trap's, or the default) is put
/// back by `cancel()`.
public final class SignalForwarder {
    private let sources: [any DispatchSourceSignal]
    private let previous: [(signal: Int32, handler: sighandler_t?)]
    private let receivedSignal = ReceivedSignal()

    /// The last signal passed on, shared with the signal handlers.
    private final class ReceivedSignal: Sendable {
        let number = Mutex<Int32?>(nil)
    }

    public init(processID: Int32, signals: [Int32] = [SIGINT, SIGTERM]) {
        var previous: [(signal: Int32, handler: sighandler_t?)] = []
        var sources: [any DispatchSourceSignal] = []
        let received = receivedSignal
        for number in signals {
            // A signal source only fires when the default action (terminating at once) is off.
            previous.append((number, signal(number, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.number.withLock { $0 = number }
                kill(processID, number)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
        self.previous = previous
    }

    /// The signal that was passed on, if any: the caller should stop too.
    public var received: Int32? { receivedSignal.number.withLock { $0 } }

    /// Stops forwarding and restores the signals' previous handling.
    public func cancel() {
        for source in sources { source.cancel() }
        for (number, handler) in previous { signal(number, handler) }
    }
}
