// LESSON 06 STARTER, generated from Solutions/IMSecurity/ServerTLS.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: TLS on every transport of the server.
//
// HTTPS, WSS and every later HTTP route (the tunnel of lesson 13) share one listener, so wrapping
// that listener's channels in TLS covers them all: there is no plaintext port left to forget.

import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// The server's certificate chain and private key, in PEM.
public struct ServerTLS: Sendable, Hashable {
    /// The server's certificate first, then any intermediates (not the root).
    public var certificateChainPEM: String
    public var privateKeyPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// Reads the two PEM files given to `im-server --tls-cert … --tls-key …`.
    public static func files(certificate: String, key: String) throws -> ServerTLS {
        func read(_ path: String, _ what: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecurityError(.badCertificate, "cannot read the \(what) file \(path)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        return ServerTLS(certificateChainPEM: try read(certificate, "certificate"), privateKeyPEM: try read(key, "key"))
    }

    /// The swift-nio-ssl configuration: TLS 1.2 at least, our chain and key. Throws a clear
    /// error for a PEM that holds no certificate or no usable key, so a bad flag stops the start.
    public func makeConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
        } catch {
            throw SecurityError(.badCertificate, "the certificate is not PEM that swift-nio-ssl can read (\(error))")
        }
        guard !chain.isEmpty else { throw SecurityError(.badCertificate, "the certificate file holds no certificate") }
        do {
            key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        } catch {
            throw SecurityError(.badCertificate, "the private key is not PEM that swift-nio-ssl can read (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // Closing a TLS connection sends close_notify and waits for the peer's; clients often just
        // drop the socket. Waiting the default 5 s per idle connection would stall a graceful shutdown.
        configuration.shutdownTimeout = .milliseconds(500)
        // Fail now, not on the first connection, when key and certificate do not belong together.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SecurityError(.badCertificate, "certificate and key do not make a TLS context (\(error))")
        }
        return configuration
    }

    /// `builder` with every accepted connection wrapped in TLS.
    public func wrap(_ builder: HTTPServerBuilder) throws -> HTTPServerBuilder {
        try .tls(builder, tlsConfiguration: makeConfiguration())
    }
}
