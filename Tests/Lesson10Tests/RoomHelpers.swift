// Lesson 10 tests: a viewer of live rooms over a real WebSocket, speaking the `room.*` frames.

import Foundation
import IMClient
import IMCore
import IMLiveRoom
import IMTestSupport
import Testing

/// A decoded `room.*` frame from the server.
struct RoomFrame: Sendable {
    let type: String
    let ref: String?
    let data: JSONValue?

    func decode<T: Decodable>(_: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data((data ?? .null).jsonBytes))
    }
}

/// One viewer's connection: sends `room.*` frames as raw JSON text and keeps every frame it reads.
actor RoomViewer {
    let client: IMWebSocketClient
    let user: TestUser
    /// Every frame read so far, in order.
    private(set) var frames: [ServerFrame] = []
    private var nextID = 0

    init(client: IMWebSocketClient, user: TestUser) {
        self.client = client
        self.user = user
    }

    static func connect(_ server: TestServer, _ user: TestUser) async throws -> RoomViewer {
        RoomViewer(client: try await server.connect(user), user: user)
    }

    /// Sends a `room.*` request whose `data` is `json`; returns its id.
    func request(_ type: String, _ json: String) -> String {
        nextID += 1
        let id = "r\(nextID)"
        client.sendRaw("{\"v\":1,\"type\":\"\(type)\",\"id\":\"\(id)\",\"data\":\(json)}")
        return id
    }

    /// Sends a request and waits for the frame that answers it (a `room.*` answer or an error).
    func call(_ type: String, _ json: String) async throws -> ServerFrame {
        try await answer(to: request(type, json))
    }

    /// The frame that answers request `id` (a `room.*` answer or an error).
    func answer(to id: String) async throws -> ServerFrame {
        try await waitFor { frame in
            switch frame {
            case .error(let ref, _): ref == id
            case .extension(_, let ref, _): ref == id
            default: false
            }
        }
    }

    func join(_ room: String) async throws -> ServerFrame { try await call("room.join", "{\"room\":\"\(room)\"}") }

    func post(_ room: String, _ body: String, kind: String = "comment") async throws -> ServerFrame {
        try await answer(to: postWithoutWaiting(room, body, kind: kind))
    }

    /// Sends a post and returns its request id at once (posts pipelined land in the same tick).
    func postWithoutWaiting(_ room: String, _ body: String, kind: String = "comment") -> String {
        request("room.post", "{\"room\":\"\(room)\",\"body\":\"\(body)\",\"kind\":\"\(kind)\"}")
    }

    /// Reads frames until one matches (within `timeout`), keeping every frame read.
    func waitFor(timeout: Duration = .seconds(10), _ matches: (ServerFrame) -> Bool) async throws -> ServerFrame {
        if let found = frames.first(where: matches) { return found }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let frame = try await client.next(timeout: deadline - ContinuousClock.now)
            frames.append(frame)
            if matches(frame) { return frame }
        }
        throw IMClientError.timedOut("a matching frame")
    }

    /// The `room.*` frames of one type read so far.
    func roomFrames(_ type: String) -> [RoomFrame] {
        frames.compactMap { frame in
            guard case .extension(let frameType, let ref, let data) = frame, frameType == type else { return nil }
            return RoomFrame(type: frameType, ref: ref, data: data)
        }
    }

    func batches() throws -> [RoomBatch] { try roomFrames("room.batch").map { try $0.decode(RoomBatch.self) } }
    func own() throws -> [RoomOwn] { try roomFrames("room.own").map { try $0.decode(RoomOwn.self) } }

    /// Reads until the batches account for `posted` posts (kept or counted as sampled).
    func readUntilAccounted(_ posted: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try accounted() < posted, ContinuousClock.now < deadline {
            frames.append(try await client.next(timeout: deadline - ContinuousClock.now))
        }
    }

    /// Reads one more frame.
    func readOne(timeout: Duration = .seconds(10)) async throws {
        frames.append(try await client.next(timeout: timeout))
    }

    /// Posts in batches, plus posts counted as sampled, plus posts of batches missed while slow.
    func accounted() throws -> Int {
        try batches().reduce(0) { $0 + $1.posts.count + $1.sampled }
            + roomFrames("room.missed").reduce(0) { $0 + (try $1.decode(RoomMissed.self)).posts }
    }

    func close() { client.close() }
}

/// The code of an error frame, or nil for any other frame.
func errorCode(_ frame: ServerFrame) -> ErrorCode? {
    if case .error(_, let error) = frame { return error.code }
    return nil
}

/// The type of a `room.*` frame.
func roomType(_ frame: ServerFrame) -> String? {
    if case .extension(let type, _, _) = frame { return type }
    return nil
}

/// Opens `room` over HTTP with `host` as its host.
func openRoom(_ room: String, host: TestUser) async throws {
    let response = try await host.http.raw("POST", "/api/v1/rooms", body: Array("{\"room\":\"\(room)\"}".utf8))
    #expect(response.status == 201, "POST /api/v1/rooms opens a room: \(response.status) \(response.text)")
}

/// The room's viewer count as `GET /api/v1/rooms/{room}` tells it.
func viewerCount(_ room: String, asking user: TestUser) async throws -> Int? {
    let response = try await user.http.raw("GET", "/api/v1/rooms/\(room)")
    guard response.status == 200 else { return nil }
    return try JSONDecoder().decode(RoomInfo.self, from: Data(response.body)).viewers
}
