// LESSON 06 STARTER, generated from Solutions/IMSecurity/SecurityError.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: errors of the security set-up (certificates, keys, pins, HttpDNS).

/// A failure of the lesson 06 machinery, with a stable code and a message for people.
public struct SecurityError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A certificate or private key could not be read.
        case badCertificate = "bad_certificate"
        /// The token signing key could not be read or written.
        case badKey = "bad_key"
        /// A pin is not `sha256/BASE64` of 32 bytes.
        case badPin = "bad_pin"
        /// The server's certificate chain has no key matching any pin.
        case pinMismatch = "pin_mismatch"
        /// The TLS handshake failed (untrusted, expired, wrong host name...).
        case handshakeFailed = "handshake_failed"
        /// HttpDNS knows no address for the service, and no built-in one is left.
        case noAddress = "no_address"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
