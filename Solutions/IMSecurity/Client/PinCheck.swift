// Lesson 06: the pin check — is the server's key one the app knows?
//
// It runs after the TLS library has verified the chain, the dates and the name, and narrows
// "any key that any trusted CA vouches for" down to "one of these keys".

import CourseSupport
import NIOSSL

/// A pinned client's decision about the certificate a server presented.
public enum PinCheck {
    /// The pin of `certificate`'s public key, when it is one of `pins`. An empty `pins` pins
    /// nothing (the verified chain is enough). Any other key throws `SecurityError` `pinMismatch`,
    /// naming the key that was seen, so that an operator can tell a rotated key from an attack.
    public static func verify(_ certificate: NIOSSLCertificate, against pins: [PublicKeyPin], host: String) throws
        -> PublicKeyPin
    {
        // BEGIN EXERCISE 06.3: Pin the certificate's key (SHA-256 of its DER SubjectPublicKeyInfo); accept it only when it is one of the pins, or no pins are set.
        let seen = PublicKeyPin(spki: try certificate.extractPublicKey().toSPKIBytes())
        guard pins.isEmpty || pins.contains(seen) else {
            throw SecurityError(
                .pinMismatch, "the key of \(host) is \(seen), which matches none of the pins \(pins.map(\.description))")
        }
        return seen
        // STUB: throw Exercise.notImplemented("06.3", expected: "the SHA-256 pin of the certificate's SubjectPublicKeyInfo, returned when it is one of the pins or no pins are set; SecurityError pin_mismatch naming the key seen otherwise")
        // END EXERCISE 06.3
    }
}
