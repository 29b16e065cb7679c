// LESSON 06 STARTER, generated from Solutions/IMSecurity/Client/PinnedHandshake.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: checking the server's key against the pins.
//
// AsyncHTTPClient and the WebSocket client verify chains and host names, but do not hand the
// verified certificate to their caller. So a pinned client first makes a TLS handshake of its
// own with the same settings, and compares the key of the server's certificate with its pins;
// only then does it open the real connection. The real connection is verified again (chain,
// dates, name) by the library. What this leaves open is a narrow window: an attacker who holds a
// certificate that the trusted roots accept could let the check through and catch the next
// connection. Platform clients (URLSession's delegate, OkHttp's CertificatePinner) check the pin
// on the connection itself, which closes that window.

import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// One TLS handshake that returns the key pin of the server's certificate.
public enum PinnedHandshake {
    /// Connects to `host:port`, verifies the server with `tls` and checks its key against `pins`.
    /// Throws `SecurityError` `handshakeFailed` or `pinMismatch`.
    public static func check(host: String, port: Int, tls: ClientTLS, timeout: Duration = .seconds(10)) async throws {
        let certificate = try await serverCertificate(host: host, port: port, tls: tls, timeout: timeout)
        _ = try PinCheck.verify(certificate, against: tls.pins, host: "\(host):\(port)")
    }

    /// The pin of the key in the certificate that `host:port` presents, after full verification.
    public static func serverKeyPin(host: String, port: Int, tls: ClientTLS, timeout: Duration = .seconds(10))
        async throws -> PublicKeyPin
    {
        try PublicKeyPin(certificate: try await serverCertificate(host: host, port: port, tls: tls, timeout: timeout))
    }

    /// The certificate that `host:port` presents, after full verification of chain, dates and name.
    static func serverCertificate(host: String, port: Int, tls: ClientTLS, timeout: Duration) async throws
        -> NIOSSLCertificate
    {
        let context = try NIOSSLContext(configuration: try tls.makeConfiguration())
        // An IP address is not a valid SNI name; swift-nio-ssl then checks the IP against the certificate.
        let serverName = host.isIPAddressLiteral ? nil : host
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: NIOSSLCertificate.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(timeout / .milliseconds(1))))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: promise))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw SecurityError(.handshakeFailed, "cannot connect to \(host):\(port) (\(error))")
        }
        defer { channel.close(promise: nil) }
        do {
            return try await promise.futureResult.get()
        } catch {
            throw SecurityError(.handshakeFailed, "TLS handshake with \(host):\(port) failed (\(error))")
        }
    }
}

/// Completes the promise with the peer's certificate once the handshake is done, or fails it.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<NIOSSLCertificate>

    init(promise: EventLoopPromise<NIOSSLCertificate>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            do {
                let handler = try context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                guard let certificate = handler.peerCertificate else {
                    throw SecurityError(.handshakeFailed, "the server presented no certificate")
                }
                promise.succeed(certificate)
            } catch {
                promise.fail(error)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(SecurityError(.handshakeFailed, "the connection closed during the handshake"))
        context.fireChannelInactive()
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 address rather than a host name.
    var isIPAddressLiteral: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
