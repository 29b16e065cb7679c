// Test support: lesson 12's per-user send limit, lifted for tests that are about something else.

import IMComposition
import IMResilience

extension ComposedServerConfiguration {
    /// Turns lesson 12's per-user send limit off: for tests that pipeline hundreds of sends from
    /// one user on purpose (back pressure, transport switches), which the default burst (100) would
    /// refuse.
    public mutating func liftSendLimit() {
        resilience.sends = nil
    }
}
