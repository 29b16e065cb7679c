// Lesson 14: how big a chunk a client sends, by the network it is on.
//
// A chunk is the unit of loss: when a connection drops, at most one chunk is sent again. Small
// chunks waste round trips on a fast network; big ones waste a lot on a flaky one. The field's
// figures: 2 MB on Wi-Fi, 1 MB on 4G, 256 KB on 3G and 2G.

/// The kind of network a client is on, as the phone reports it.
public enum NetworkClass: String, Sendable, CaseIterable, Codable {
    case wifi
    case cellular4G = "4g"
    case cellular3G = "3g"
    case cellular2G = "2g"
    case unknown
}

/// The client's chunk size, a pure function of the network class.
public enum ChunkPolicy {
    public static let wifi = 2 * 1024 * 1024
    public static let cellular4G = 1024 * 1024
    public static let slow = 256 * 1024

    /// Bytes per PATCH on `network`. An unknown network gets the small chunk: a wrong guess
    /// costs a few round trips there, not megabytes sent twice.
    public static func chunkSize(for network: NetworkClass) -> Int {
        switch network {
        case .wifi: wifi
        case .cellular4G: cellular4G
        case .cellular3G, .cellular2G, .unknown: slow
        }
    }
}
