// LESSON 03 STARTER, generated from Solutions/IMGateway/Auth/LoginThrottleGate.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 03: the login throttle shared by every request, on the monotonic clock.

import Synchronization

/// `LoginThrottle` behind a lock, with the time read from the monotonic clock.
final class LoginThrottleGate: Sendable {
    private let throttle: Mutex<LoginThrottle>
    private let start = ContinuousClock.now

    init(configuration: LoginThrottle.Configuration) {
        throttle = Mutex(LoginThrottle(configuration: configuration))
    }

    private var now: Duration { ContinuousClock.now - start }

    func check(account: String, address: String?) -> LoginThrottle.Decision {
        let now = now
        return throttle.withLock { $0.check(account: account, address: address, now: now) }
    }

    func recordFailure(account: String, address: String?) {
        let now = now
        throttle.withLock { $0.recordFailure(account: account, address: address, now: now) }
    }

    func recordSuccess(account: String, address: String?) {
        throttle.withLock { $0.recordSuccess(account: account, address: address) }
    }
}
