// Lesson 13 tests: the tunnel's endpoints spoken by hand, as a test of the wire protocol should.

import Foundation
import IMClient
import IMCore
import IMTestSupport
import IMTunnel
import Testing

/// One user's raw HTTP view of the tunnel.
struct RawTunnel {
    let user: TestUser

    func open() async throws -> TunnelOpened {
        let response = try await user.http.raw("POST", "/api/v1/tunnel")
        #expect(response.status == 201, "opening a tunnel answers 201; got \(response.status) \(response.text)")
        return try JSONDecoder().decode(TunnelOpened.self, from: Data(response.body))
    }

    /// POSTs frames (JSON text each) as upload `seq`.
    func upload(_ session: String, seq: UInt64, _ frames: [String]) async throws -> RawResponse {
        let body = "{\"seq\":\(seq),\"frames\":[\(frames.joined(separator: ","))]}"
        return try await user.http.raw("POST", "/api/v1/tunnel/\(session)/up", body: Array(body.utf8))
    }

    func downResponse(_ session: String, after: UInt64, wait: Int = 0) async throws -> RawResponse {
        try await user.http.raw("GET", "/api/v1/tunnel/\(session)/down?after=\(after)&wait=\(wait)")
    }

    func down(_ session: String, after: UInt64, wait: Int = 0) async throws -> TunnelDownPage {
        let response = try await downResponse(session, after: after, wait: wait)
        try response.check()
        return try JSONDecoder().decode(TunnelDownPage.self, from: Data(response.body))
    }

    /// Polls (acknowledging nothing beyond `after`) until at least `count` frames are kept.
    func waitForFrames(_ session: String, after: UInt64, count: Int) async throws -> [(seq: UInt64, frame: ServerFrame)] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let page = try await down(session, after: after, wait: 1)
            if page.frames.count >= count { return try page.frames.map { ($0.seq, try Self.decode($0.frame)) } }
        }
        Issue.record("expected \(count) frames on the down channel within 10 s")
        return []
    }

    static func decode(_ frame: JSONValue) throws -> ServerFrame {
        try FrameCodec().decodeServerFrame(frame.jsonBytes)
    }

    static func send(to user: UserID, body: String, id: String, clientMsgID: String? = nil) -> String {
        FrameCodec().encode(ClientFrame.send(id: id, SendRequest(to: user, body: body, clientMsgID: clientMsgID)))
    }
}
