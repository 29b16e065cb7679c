// Lesson 06: a public-key pin, `sha256/BASE64` of the certificate's SubjectPublicKeyInfo.
//
// A pin names the server's *key*, not its certificate, so certificates can be renewed with the
// same key without shipping a new client. Clients keep a second (backup) pin for the next key.

import Crypto
import Foundation
import NIOSSL

/// The SHA-256 of a DER SubjectPublicKeyInfo.
public struct PublicKeyPin: Sendable, Hashable, CustomStringConvertible {
    public let sha256: [UInt8]

    /// Parses `sha256/BASE64` (the form `im-client --pin` takes, as HPKP and OkHttp write it).
    public init(_ text: String) throws {
        guard text.hasPrefix("sha256/"), let digest = Data(base64Encoded: String(text.dropFirst("sha256/".count))),
            digest.count == SHA256.byteCount
        else {
            throw SecurityError(.badPin, "`\(text)` is not a pin: expected sha256/ and the base64 of 32 bytes")
        }
        sha256 = Array(digest)
    }

    /// The pin of a DER SubjectPublicKeyInfo.
    public init(spki: [UInt8]) {
        sha256 = Array(SHA256.hash(data: spki))
    }

    /// The pin of a certificate's public key.
    public init(certificate: NIOSSLCertificate) throws {
        self.init(spki: try certificate.extractPublicKey().toSPKIBytes())
    }

    /// The pin of the first certificate in a PEM text (for `im-server --print-pin`-style tools and tests).
    public init(certificatePEM: String) throws {
        guard let first = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).first else {
            throw SecurityError(.badCertificate, "no certificate in the PEM text")
        }
        try self.init(certificate: first)
    }

    public var description: String { "sha256/" + Data(sha256).base64EncodedString() }
}
