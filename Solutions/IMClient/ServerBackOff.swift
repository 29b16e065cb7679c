// Lesson 12: what a client does when the server says "not now".
//
// `rate_limited` and `unavailable` come with `retryAfter`: the request was not carried out, and
// the same request will be accepted later. A client waits that long plus up to half again at
// random, so that clients refused together do not all come back in the same instant, and sends
// the same request again (a send with the same clientMsgID, so it is never stored twice).

import IMCore

/// How long to wait before retrying a request the server refused for now, with jitter; nil when
/// the refusal is final (any other error, or no `retryAfter`).
public func serverBackOff(_ error: IMError) -> Duration? {
    guard error.code == .rateLimited || error.code == .unavailable, let seconds = error.retryAfter else { return nil }
    let base = Double(max(1, seconds))
    return .milliseconds(Int64(base * Double.random(in: 1.0...1.5) * 1000))
}

/// Runs `request`, and again after the server's `retryAfter` (with jitter) while it is refused for
/// now, at most `attempts` times in all; any other error, or the last refusal, is thrown.
public func withServerBackOff<Result>(
    attempts: Int = 4, _ request: () async throws -> Result
) async throws -> Result {
    var attempt = 1
    while true {
        do {
            return try await request()
        } catch IMClientError.server(let status, let error) {
            guard attempt < attempts, let wait = serverBackOff(error) else {
                throw IMClientError.server(status: status, error)
            }
            attempt += 1
            try await Task.sleep(for: wait)
        }
    }
}
