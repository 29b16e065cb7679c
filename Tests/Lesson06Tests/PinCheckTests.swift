// Lesson 06 tests: the pin check on real certificates from a local CA (no network needed).

import IMSecurity
import NIOSSL
import Testing

@Suite("06.3 Pin check")
struct PinCheckTests {
    static func certificate(_ issued: LocalCertificateAuthority.Issued) throws -> NIOSSLCertificate {
        try #require(try NIOSSLCertificate.fromPEMBytes(Array(issued.certificatePEM.utf8)).first)
    }

    @Test("the served key passes, also next to a backup pin and after a renewal with the same key; no pins pass everything")
    func acceptedKeys() throws {
        let ca = try LocalCertificateAuthority()
        let served = try ca.issue()
        let next = try ca.issue()
        let certificate = try Self.certificate(served)
        let seen = try PinCheck.verify(certificate, against: [try served.pin()], host: "localhost:443")
        #expect(seen == (try served.pin()), "Exercise 06.3: the pin returned is the SHA-256 of the key's SubjectPublicKeyInfo")
        #expect(
            try PinCheck.verify(certificate, against: [try next.pin(), try served.pin()], host: "localhost:443") == seen,
            "Exercise 06.3: a backup pin next to the right one is fine")
        #expect(
            try PinCheck.verify(certificate, against: [], host: "localhost:443") == seen,
            "Exercise 06.3: no pins: the verified chain is enough")
        let renewed = try ca.issue(renewing: served)
        #expect(renewed.certificatePEM != served.certificatePEM)
        #expect(
            try PinCheck.verify(try Self.certificate(renewed), against: [try served.pin()], host: "localhost:443") == seen,
            "Exercise 06.3: a renewed certificate with the same key matches the same pin")
    }

    @Test("another key is refused with pin_mismatch, naming the key seen")
    func refusedKey() throws {
        let ca = try LocalCertificateAuthority()
        let served = try ca.issue()
        let other = try ca.issue()
        do {
            _ = try PinCheck.verify(try Self.certificate(served), against: [try other.pin()], host: "localhost:443")
            Issue.record("Exercise 06.3: a key that matches no pin must be refused")
        } catch let error as SecurityError {
            #expect(error.code == .pinMismatch, "Exercise 06.3: the refusal is pin_mismatch; got \(error)")
            #expect(
                error.message.contains(try served.pin().description),
                "Exercise 06.3: the message names the key seen; got \(error.message)")
        }
    }
}
