// Lesson 03 tests: the listener pauses its accepts when the process is out of descriptors.

import IMTestSupport
import Logging
import NIOCore
import NIOPosix
import Testing

@testable import IMGateway

#if canImport(Glibc)
    import Glibc
#endif

@Suite("03 Accept pause")
struct AcceptPauseTests {
    /// A real listener on loopback with `AcceptPause` in front, as the gateway installs it.
    private func listener(pause: TimeAmount) async throws -> any Channel {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                AcceptPause(pause: pause, logger: Logger(label: "test")), position: .first)
        }.get()
        return channel
    }

    @Test("after accept fails with EMFILE the listener stops reading for the pause, then reads and accepts again")
    func pausesThenResumes() async throws {
        let listener = try await listener(pause: .milliseconds(300))
        #expect(try await listener.getOption(.autoRead).get())
        // What a failed accept4 raises (NIO's ServerSocketChannel fires it through the pipeline).
        listener.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept4"))
        #expect(try await listener.getOption(.autoRead).get() == false, "paused: out of the event loop's interest set")
        #expect(
            await eventually(timeout: .seconds(5)) { (try? await listener.getOption(.autoRead).get()) == true },
            "reading again after the pause")
        let port = try #require(listener.localAddress?.port)
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        #expect(client.isActive, "and accepting")
        try await client.close()
        try await listener.close()
    }

    @Test("other accept errors do not pause the listener")
    func otherErrorsDoNotPause() async throws {
        let listener = try await listener(pause: .seconds(30))
        listener.pipeline.fireErrorCaught(IOError(errnoCode: ECONNABORTED, reason: "accept4"))
        #expect(try await listener.getOption(.autoRead).get())
        try await listener.close()
    }
}
