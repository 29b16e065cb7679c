// Tools support: a free loopback port for a server started by a tool.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port nobody listens on now: the kernel picks it for a socket bound to port 0.
func unusedLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw ServerProcessError.noFreePort(errno: errno) }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw ServerProcessError.noFreePort(errno: errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}
