// LESSON 06 STARTER, generated from Solutions/IMSecurity/HttpDNSAnswer.swift by `swift run course generate`.
// This file has no exercises: it is given as it is.

// Lesson 06: what the HttpDNS endpoint answers.

/// The addresses of a service, and how long a client may keep them.
public struct HttpDNSAnswer: Codable, Sendable, Hashable {
    public let service: String
    /// Base URLs such as `https://gw1.example.com:8443`, in no particular order of preference.
    public let addresses: [String]
    /// Seconds the answer may be cached.
    public let ttl: Int

    public init(service: String, addresses: [String], ttl: Int) {
        self.service = service
        self.addresses = addresses
        self.ttl = ttl
    }
}
