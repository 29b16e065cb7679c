// Fuzz target: session tokens, the first thing the gateway reads from a stranger.
//
// Inputs starting with an even byte are offered as the token itself; they can only be refused
// (`401 unauthorized`), forging a signature is not the fuzzer's job. Inputs starting with an odd
// byte are claims, signed here with the server's key, so that the code behind the signature
// check (base64url, the claims' JSON, the device id, the clock checks) is fuzzed too.

import Crypto
import Foundation
import IMCore
import IMSecurity

private let key = [UInt8](repeating: 7, count: 32)
private let format = SignedTokenFormat(key: key)
/// A fixed clock: 2027-01-15, within the seeds' `iat`..`exp`.
private let now: Int64 = 1_800_000_000_000

private func base64URL(_ bytes: some Sequence<UInt8>) -> String {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSessionToken(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    guard let mode = bytes.first else { return 0 }
    let rest = bytes.dropFirst()
    let token: String
    if mode % 2 == 0 {
        token = String(decoding: rest, as: UTF8.self)
    } else {
        let payload = base64URL(rest)
        token =
            payload + "." + base64URL(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: key)))
    }
    do {
        let opened = try format.open(token, now: now)
        require(mode % 2 == 1, "an unsigned token was accepted: \(token)")
        require(opened.userID != nil && opened.deviceID != nil, "a signed token names nobody: \(token)")
    } catch let error as IMError {
        require(error.code == .unauthorized, "token refused with \(error), not unauthorized")
    } catch {
        fatalError("open threw \(error), not an IMError")
    }
    return 0
}
