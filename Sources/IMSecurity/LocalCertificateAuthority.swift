// LESSON 06 STARTER, generated from Solutions/IMSecurity/LocalCertificateAuthority.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: a certificate authority of our own, for tests and for trying TLS on one machine.
//
// Real servers get their certificates from a public CA (Let's Encrypt, for example), which every
// client already trusts. On a laptop and in tests we play that CA ourselves: one root
// certificate that the client is told to trust, and server certificates signed by it. Tests make
// the bad ones too — expired, for another host name, from a CA nobody trusts.

import Crypto
import Foundation
import SwiftASN1
import X509

/// A root CA that issues server certificates. Keys are P-256 (ECDSA), small and fast.
public struct LocalCertificateAuthority: Sendable {
    /// A certificate and its private key, in PEM.
    public struct Issued: Sendable, Hashable {
        public let certificatePEM: String
        public let privateKeyPEM: String

        /// The server side of TLS with this certificate.
        public var serverTLS: ServerTLS { ServerTLS(certificateChainPEM: certificatePEM, privateKeyPEM: privateKeyPEM) }
        /// The pin of this certificate's key.
        public func pin() throws -> PublicKeyPin { try PublicKeyPin(certificatePEM: certificatePEM) }
    }

    public let name: String
    private let key: P256.Signing.PrivateKey
    private let certificate: Certificate

    /// A new root, valid from an hour ago for ten years.
    public init(name: String = "IM course local CA") throws {
        self.name = name
        key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 10 * 365 * 86400, issuer: subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// The root certificate that clients trust.
    public func rootPEM() throws -> String { try certificate.serializeAsPEM().pemString }

    /// A server certificate for `hosts` (names, or IPv4/IPv6 addresses), valid between the two dates,
    /// for a new key, or for the key of `renewing` (a renewal: a new certificate, the same key pin).
    public func issue(
        hosts: [String] = ["localhost", "127.0.0.1"], notValidBefore: Date = Date() - 3600,
        notValidAfter: Date = Date() + 30 * 86400, renewing: Issued? = nil
    ) throws -> Issued {
        let serverKey =
            try renewing.map { try P256.Signing.PrivateKey(pemRepresentation: $0.privateKeyPEM) } ?? P256.Signing.PrivateKey()
        let names: [GeneralName] = hosts.map { host in
            if let bytes = Self.ipAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: bytes[...])) }
            return .dnsName(host)
        }
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
            notValidBefore: notValidBefore, notValidAfter: notValidAfter, issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(hosts.first ?? "server") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        return Issued(
            certificatePEM: try issued.serializeAsPEM().pemString,
            privateKeyPEM: try Certificate.PrivateKey(serverKey).serializeAsPEM().pemString)
    }

    /// The 4 or 16 bytes of an IP address literal, nil for a host name.
    static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
