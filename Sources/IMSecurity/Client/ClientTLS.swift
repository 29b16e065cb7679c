// LESSON 06 STARTER, generated from Solutions/IMSecurity/Client/ClientTLS.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: how a client checks the server — whom it trusts, and which keys it pins.

import NIOSSL

/// A client's TLS settings. The default trusts the system's roots and pins nothing.
public struct ClientTLS: Sendable, Hashable {
    /// PEM certificates of the CAs to trust instead of the system's roots (nil: the system's).
    public var trustedRootsPEM: String?
    /// When not empty, the server's key must match one of these, whoever signed its certificate.
    public var pins: [PublicKeyPin]

    public init(trustedRootsPEM: String? = nil, pins: [PublicKeyPin] = []) {
        self.trustedRootsPEM = trustedRootsPEM
        self.pins = pins
    }

    /// swift-nio-ssl's client configuration: full verification (chain, dates, host name),
    /// TLS 1.2 at least, against our roots.
    public func makeConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustedRootsPEM {
            let roots = try NIOSSLCertificate.fromPEMBytes(Array(trustedRootsPEM.utf8))
            guard !roots.isEmpty else { throw SecurityError(.badCertificate, "no certificate in the trusted roots") }
            configuration.trustRoots = .certificates(roots)
        }
        return configuration
    }
}
