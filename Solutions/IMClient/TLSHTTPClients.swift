// Lesson 06: one AsyncHTTPClient per TLS setting.
//
// AsyncHTTPClient takes its TLS configuration per client, not per request, and a client must
// live as long as it is used. So clients are made once per distinct `ClientTLS` and kept for the
// life of the process, like `HTTPClient.shared` (a process makes only a handful).

import AsyncHTTPClient
import IMSecurity
import Synchronization

enum TLSHTTPClients {
    private static let clients = Mutex<[ClientTLS: HTTPClient]>([:])

    static func client(for tls: ClientTLS) throws -> HTTPClient {
        let configuration = try tls.makeConfiguration()
        return clients.withLock { clients in
            if let client = clients[tls] { return client }
            var settings = HTTPClient.Configuration()
            settings.tlsConfiguration = configuration
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
            clients[tls] = client
            return client
        }
    }
}
