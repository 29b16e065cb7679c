// Lesson 03 tests: failed logins are counted per account, per address and per both, in a sliding
// window; a guesser is refused for a while without locking the real user out from elsewhere.

import IMClient
import IMCore
import IMGateway
import IMTestSupport
import Testing

@Suite("03 Login throttle")
struct LoginThrottleTests {
    var configuration: LoginThrottle.Configuration {
        var configuration = LoginThrottle.Configuration()
        configuration.window = .seconds(300)
        configuration.maxFailuresPerAccountAndAddress = 3
        configuration.maxFailuresPerAddress = 5
        configuration.maxFailuresPerAccount = 8
        return configuration
    }

    @Test("one address guessing one account is refused until its oldest failure leaves the window; other addresses are not")
    func accountAndAddress() {
        var throttle = LoginThrottle(configuration: configuration)
        for second in 0..<3 {
            #expect(throttle.check(account: "alice", address: "10.0.0.9", now: .seconds(second)) == .allowed)
            throttle.recordFailure(account: "alice", address: "10.0.0.9", now: .seconds(second))
        }
        #expect(throttle.check(account: "alice", address: "10.0.0.9", now: .seconds(10)) == .refused(retryAfter: .seconds(290)))
        #expect(throttle.check(account: "alice", address: "10.0.0.1", now: .seconds(10)) == .allowed, "the real user elsewhere")
        #expect(throttle.check(account: "bob", address: "10.0.0.9", now: .seconds(10)) == .allowed, "another account")
        #expect(
            throttle.check(account: "alice", address: "10.0.0.9", now: .seconds(300)) == .allowed, "the first failure expired")
    }

    @Test("one address guessing many accounts, and many addresses guessing one account, are refused too")
    func addressAndAccount() {
        var throttle = LoginThrottle(configuration: configuration)
        for index in 0..<5 { throttle.recordFailure(account: "user\(index)", address: "10.0.0.9", now: .seconds(index)) }
        guard case .refused = throttle.check(account: "newcomer", address: "10.0.0.9", now: .seconds(6)) else {
            Issue.record("the address made 5 failures: refused for any account")
            return
        }
        for index in 0..<8 { throttle.recordFailure(account: "carol", address: "10.1.0.\(index)", now: .seconds(index)) }
        guard case .refused = throttle.check(account: "carol", address: "10.2.0.1", now: .seconds(9)) else {
            Issue.record("the account had 8 failures from many addresses: refused from any address")
            return
        }
        #expect(throttle.check(account: "carol", address: nil, now: .seconds(308)) == .allowed, "after the window")
    }

    @Test("a successful login clears that address's failures for the account, not the others'")
    func successClearsThePair() {
        var throttle = LoginThrottle(configuration: configuration)
        for second in 0..<2 { throttle.recordFailure(account: "alice", address: "10.0.0.1", now: .seconds(second)) }
        throttle.recordSuccess(account: "alice", address: "10.0.0.1")
        for second in 2..<4 { throttle.recordFailure(account: "alice", address: "10.0.0.1", now: .seconds(second)) }
        #expect(
            throttle.check(account: "alice", address: "10.0.0.1", now: .seconds(5)) == .allowed, "2 failures since the success")
    }

    @Test("a flood of different names keeps at most maxKeys keys")
    func memoryIsBounded() {
        var configuration = configuration
        configuration.maxKeys = 100
        var throttle = LoginThrottle(configuration: configuration)
        for index in 0..<1_000 {
            throttle.recordFailure(account: "name\(index)", address: nil, now: .milliseconds(index))
            #expect(throttle.keyCount <= 100)
        }
    }

    @Test("through the server: the 11th wrong password in a row gets 429 rate_limited with Retry-After, the right one too")
    func serverRefusesAGuesser() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let client = server.client()
            func login(_ password: String) async throws -> RawResponse {
                try await client.raw(
                    "POST", "/api/v1/login", body: Array(#"{"username":"\#(alice.username)","password":"\#(password)"}"#.utf8))
            }
            for attempt in 1...10 {
                #expect(try await login("wrong-\(attempt)").status == 401)
            }
            let refused = try await login("wrong-11")
            #expect(refused.status == 429 && refused.text.contains("rate_limited"), "got \(refused.status) \(refused.text)")
            #expect(refused.text.contains("\"retryAfter\""), "the error says how long to wait: \(refused.text)")
            #expect(try await login(alice.password).status == 429, "refused before the password is even checked")
            let other = try await server.registerUser("bob")
            #expect(
                try await client.raw(
                    "POST", "/api/v1/login", body: Array(#"{"username":"\#(other.username)","password":"password123"}"#.utf8)
                ).status == 200, "another account from the same address still logs in")
        }
    }

    @Test("a malformed deviceID at login is invalid_argument, saying what a device id is")
    func badDeviceID() async throws {
        try await withTestServer { server in
            let alice = try await server.registerUser("alice")
            let answer = try await server.client().raw(
                "POST", "/api/v1/login",
                body: Array(#"{"username":"\#(alice.username)","password":"password123","deviceID":"no spaces!"}"#.utf8))
            #expect(
                answer.status == 400 && answer.text.contains("invalid_argument") && answer.text.contains("deviceID"),
                "\(answer.text)")
        }
    }
}
