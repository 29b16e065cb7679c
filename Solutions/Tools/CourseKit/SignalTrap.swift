import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a clean-up when the user interrupts the tool (Ctrl-C) or CI terminates it, then exits.
/// `course check` uses it to put the pristine starters back after writing test variants into
/// `Sources/`. A child that `ProcessRunner` is running (`swift test`) gets the signal passed on by
/// its `SignalForwarder`: Foundation starts children in a process group of their own, so the
/// terminal's Ctrl-C would not reach them.
public final class SignalTrap {
    private let sources: [any DispatchSourceSignal]
    private let signals: [Int32]

    public init(signals: [Int32] = [SIGINT, SIGTERM], cleanUp: @escaping @Sendable () -> Void) {
        self.signals = signals
        self.sources = signals.map { number in
            // A signal source only fires when the default action (terminating at once) is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: cleaning up...\n".utf8))
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Stops trapping: the signals have their default action again.
    public func cancel() {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
