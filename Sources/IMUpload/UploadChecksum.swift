// LESSON 14 STARTER, generated from Solutions/IMUpload/UploadChecksum.swift by `swift run course generate`.
// Work in the EXERCISE blocks below; the rest of the file is given.

// Lesson 14: tus's checksum extension — `Upload-Checksum: <algorithm> <base64 digest>`.
//
// TCP's own checksum is 16 bits and misses corruption often enough at scale (broken middleboxes,
// bad memory on the way). A chunk's checksum catches it before the bytes join the upload, so a
// bad chunk is sent again instead of spoiling the whole file. Parsing the header is exercise 14.2.

import CourseSupport
import Crypto
import Foundation

/// A parsed `Upload-Checksum` header.
public struct UploadChecksum: Sendable, Equatable {
    /// The algorithms we announce in `Tus-Checksum-Algorithm`.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1, sha256

        /// Bytes in a digest: 20 for SHA-1, 32 for SHA-256.
        public var digestSize: Int { self == .sha1 ? 20 : 32 }
    }

    public let algorithm: Algorithm
    public let digest: [UInt8]

    public init(algorithm: Algorithm, digest: [UInt8]) {
        self.algorithm = algorithm
        self.digest = digest
    }

    /// Reads the header's value: an algorithm name, one space, the digest in standard base64.
    /// An unknown algorithm, bad base64 or a digest of the wrong size is a bad request (400),
    /// not a mismatch: the chunk was never compared.
    public init(header: String) throws(UploadError) {
        // BEGIN EXERCISE 14.2: Split "<algorithm> <base64>" at its one space; refuse an unknown algorithm, bad base64 or a digest of the wrong size (400).
        // TODO: write this part; the line(s) below only stand in for it. Hint: swift run course hint 14
        throw UploadError(.internal, Exercise.notImplemented("14.2", expected: "\"sha1 <base64 of 20 bytes>\" or \"sha256 <base64 of 32 bytes>\" parsed; anything else 400").description)
        // END EXERCISE 14.2
    }

    /// A hasher for the chunk's bytes, fed as they arrive.
    public func makeVerifier() -> Verifier { Verifier(expected: self) }

    /// Hashes a chunk while it streams in, so the server never holds it whole.
    public struct Verifier: Sendable {
        private enum Hasher: Sendable {
            case sha1(Insecure.SHA1)
            case sha256(SHA256)
        }

        private var hasher: Hasher
        public let expected: UploadChecksum

        init(expected: UploadChecksum) {
            self.expected = expected
            hasher = expected.algorithm == .sha1 ? .sha1(Insecure.SHA1()) : .sha256(SHA256())
        }

        public mutating func update<Bytes: DataProtocol>(_ bytes: Bytes) {
            switch hasher {
            case .sha1(var h):
                for region in bytes.regions { region.withUnsafeBytes { h.update(bufferPointer: $0) } }
                hasher = .sha1(h)
            case .sha256(var h):
                for region in bytes.regions { region.withUnsafeBytes { h.update(bufferPointer: $0) } }
                hasher = .sha256(h)
            }
        }

        /// Whether the bytes fed so far have the expected digest.
        public func matches() -> Bool {
            switch hasher {
            case .sha1(let h): Array(h.finalize()) == expected.digest
            case .sha256(let h): Array(h.finalize()) == expected.digest
            }
        }
    }
}
