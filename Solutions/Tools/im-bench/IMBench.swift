// im-bench: the load generator and benchmark of the IM (docs/BENCHMARKS.md).
//
//   im-bench connections --count 10000          # idle WebSockets: server memory per connection
//   im-bench chat --pairs 50 --duration 10      # 1:1 chat flat out: msg/s, ACK and delivery latency
//   im-bench chat --pairs 50 --rate 5000        # the same at a target rate
//   im-bench ping --connections 100             # the gateway alone: WebSocket round trips, no storage
//   im-bench saturate --file-limit 256 --runs 20 # idle-socket flood: /health must answer (pass/fail)
//   im-bench room --viewers 10000 --senders 20 --rate 200   # live room: delivered posts/s, latency
//
// Each scenario starts its own im-server (--server-binary, with its data in a temporary folder)
// or drives a running one (--url, with --server-pid for memory figures). A progress line runs
// while it works; a table and a JSON result file (--json) come at the end.

import ArgumentParser
import Foundation

@main
struct IMBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im-bench",
        abstract: "Load generator and benchmark of im-server, over real sockets on loopback.",
        subcommands: [
            ConnectionsCommand.self, ChatCommand.self, PingCommand.self, StoreCommand.self, SaturateCommand.self,
            GroupCommand.self,
            RoomCommand.self,
            UploadCommand.self,
            ProfilesCommand.self,
        ])
}

/// Where the server under test comes from.
struct TargetOptions: ParsableArguments {
    @Option(help: "An im-server executable to start for the run (its data goes to a temporary folder).")
    var serverBinary = ".build/release/im-server"
    @Option(
        help:
            "Drive a running server at this URL instead of starting one (start it with --max-connections-per-address 0 --no-address-limits --send-rate 0: every bench connection comes from one address)."
    )
    var url: String?
    @Option(help: "The pid of the running server given by --url, for memory figures.")
    var serverPID: Int32?
    @Option(help: "Write the result as JSON to this file.")
    var json: String?
    @Flag(
        help:
            "Let the started server sync every commit to disk (the default of im-server); off by default here to measure the server, not the disk."
    )
    var syncEveryCommit = false
    @Option(
        name: .customLong("server-arg"),
        help:
            "One more argument for the started im-server (repeat it), e.g. --server-arg=--otlp-endpoint=http://127.0.0.1:4318/v1/traces to measure tracing (lesson 19)."
    )
    var serverArguments: [String] = []
}
