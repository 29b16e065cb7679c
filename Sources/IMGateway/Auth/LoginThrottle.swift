// LESSON 03 STARTER, generated from Solutions/IMGateway/Auth/LoginThrottle.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: failed logins are counted, and a guesser is refused for a while.
//
// bcrypt makes each guess cost the server 50-100 ms, but nothing stopped a client from guessing
// all day. The throttle counts failed logins in a sliding window under three keys, so that one
// key alone cannot be used against a real user:
//   - account and address: one source guessing one account; the tightest limit. A real user on
//     another address is not affected by it.
//   - address: one source guessing many accounts.
//   - account: many sources guessing one account (a botnet); the loosest limit, because an
//     attacker who reaches it also locks the real user out for the rest of the window.
// A success clears the account's failures from that address. Lesson 12 brings general flow control.

/// Failed logins in a sliding window, per account, per address and per both. Pure: time is a
/// parameter, so it is tested without clocks or sockets.
public struct LoginThrottle: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// How long a failure counts.
        public var window: Duration = .seconds(300)
        /// Failures from one address for one account before that pair is refused.
        public var maxFailuresPerAccountAndAddress = 10
        /// Failures from one address, whatever the account.
        public var maxFailuresPerAddress = 50
        /// Failures for one account, whatever the address.
        public var maxFailuresPerAccount = 100
        /// Keys remembered at most; the oldest are forgotten first (bounds memory under a flood of names).
        public var maxKeys = 100_000

        public init() {}
    }

    public enum Decision: Hashable, Sendable {
        case allowed
        /// Refused until `retryAfter` has passed (when the oldest counted failure leaves the window).
        case refused(retryAfter: Duration)
    }

    public let configuration: Configuration
    /// Failure times per key, oldest first.
    private var failures: [Key: [Duration]] = [:]

    private enum Key: Hashable, Sendable {
        case account(String)
        case address(String)
        case pair(String, String)
    }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether a login for `account` from `address` may be tried at `now`.
    public mutating func check(account: String, address: String?, now: Duration) -> Decision {
        var wait = Duration.zero
        for (key, limit) in keys(account: account, address: address) {
            let times = pruned(key, now: now)
            if times.count >= limit, let oldest = times.first {
                wait = max(wait, oldest + configuration.window - now)
            }
        }
        return wait > .zero ? .refused(retryAfter: wait) : .allowed
    }

    public mutating func recordFailure(account: String, address: String?, now: Duration) {
        if failures.count >= configuration.maxKeys { forgetOldest(now: now) }
        for (key, _) in keys(account: account, address: address) {
            var times = pruned(key, now: now)
            times.append(now)
            failures[key] = times
        }
    }

    /// The real user got in: the failures of this account from this address no longer count.
    /// (Those from other addresses still do, or one success would reset a botnet's count.)
    public mutating func recordSuccess(account: String, address: String?) {
        if let address { failures[.pair(account, address)] = nil }
    }

    /// How many keys are remembered (for tests of the memory bound).
    public var keyCount: Int { failures.count }

    private func keys(account: String, address: String?) -> [(Key, Int)] {
        var keys: [(Key, Int)] = [(.account(account), configuration.maxFailuresPerAccount)]
        if let address {
            keys.append((.address(address), configuration.maxFailuresPerAddress))
            keys.append((.pair(account, address), configuration.maxFailuresPerAccountAndAddress))
        }
        return keys
    }

    /// The failures of `key` still inside the window at `now` (and the stored list trimmed to them).
    private mutating func pruned(_ key: Key, now: Duration) -> [Duration] {
        guard let times = failures[key] else { return [] }
        let fresh = times.filter { $0 + configuration.window > now }
        failures[key] = fresh.isEmpty ? nil : fresh
        return fresh
    }

    /// Drops keys whose failures have all left the window; if none has, the quarter whose newest
    /// failure is oldest.
    private mutating func forgetOldest(now: Duration) {
        failures = failures.filter { $0.value.contains { $0 + configuration.window > now } }
        guard failures.count >= configuration.maxKeys else { return }
        let byAge = failures.sorted { ($0.value.last ?? .zero) < ($1.value.last ?? .zero) }
        for (key, _) in byAge.prefix(max(1, failures.count / 4)) { failures[key] = nil }
    }
}
