// The fault-injection run: traffic, kills, disconnects, then the checks.

import Foundation
import IMClient
import IMCore
import IMToolSupport
import NIOCore
import Synchronization

/// What the run has observed so far, shared by its tasks.
actor Ledger {
    /// Every acknowledged message by client message id.
    var acked: [String: Message] = [:]
    /// The highest seq each user's read marks were acknowledged up to, per conversation.
    var readUpTo: [UserID: [ConversationID: Int64]] = [:]
    var sendRetries = 0
    var readMarks = 0
    var violations: [String] = []

    var ackedCount: Int { acked.count }

    func record(_ message: Message, clientMsgID: String) {
        if let earlier = acked[clientMsgID], earlier.id != message.id {
            violations.append("\(clientMsgID) was acknowledged as message \(earlier.id) and again as \(message.id)")
        }
        acked[clientMsgID] = message
    }

    func recordRead(_ user: UserID, _ conversation: ConversationID, upTo seq: Int64) {
        readMarks += 1
        readUpTo[user, default: [:]][conversation] = max(readUpTo[user]?[conversation] ?? 0, seq)
    }

    func retried() { sendRetries += 1 }
    func violation(_ text: String) { violations.append(text) }
}

struct FaultRun {
    let serverPath: String
    let cycles: Int
    let userCount: Int
    let messageCount: Int
    let concurrency: Int
    let timeLimit: Duration

    func execute() async throws -> [String] {
        let started = ContinuousClock.now
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("im-faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // The lanes send as fast as acknowledgements come, well over lesson 12's per-user rate;
        // this run is about crashes, not flow control, so the limit is off.
        let server = try ServerProcess(
            executable: serverPath, dataDirectory: data, arguments: ["--send-rate", "0", "--no-address-limits"])
        try await server.start()
        defer {
            if !server.stop() {
                report("im-faults: warning: im-server did not stop within 30 s of SIGTERM and was killed")
            }
            try? FileManager.default.removeItem(atPath: data)
        }
        report("im-faults: server on \(server.baseURL), data in \(data)")
        // A watchdog on a Dispatch thread, outside Swift's task pool: should some await never
        // return (a stuck socket, a blocked thread), the run fails with a message a minute after
        // the traffic's time limit and the settling's (30 s per device) instead of hanging until
        // CI gives up on it.
        let board = LaneBoard()
        let giveUpAfter = timeLimit + .seconds(30 * 2 * userCount + 60)
        let watchdog = DispatchWorkItem {
            report("im-faults: FAIL: still running \(giveUpAfter) after the start; stuck somewhere, giving up")
            report("im-faults: lanes still running:\n\(board.summary)")
            report("im-faults: the server's last lines:\n\(server.logTail())")
            if let pid = server.pid { kill(pid, SIGKILL) }
            exit(2)
        }
        let (seconds, _) = giveUpAfter.components
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(seconds)), execute: watchdog)
        defer { watchdog.cancel() }

        // Users, each with a phone and a laptop.
        let anonymous = IMHTTPClient(baseURL: server.baseURL)
        var devices: [IMDevice] = []
        var people: [(user: User, devices: [IMDevice], http: IMHTTPClient)] = []
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        for index in 0..<userCount {
            let name = "f\(tag)u\(index)"
            let phone = try await anonymous.register(
                username: name, password: "password123", displayName: nil, deviceID: "phone")
            let laptop = try await anonymous.login(username: name, password: "password123", deviceID: "laptop")
            let pair = [
                IMDevice(baseURL: server.baseURL, credentials: phone), IMDevice(baseURL: server.baseURL, credentials: laptop),
            ]
            devices += pair
            people.append((phone.user, pair, anonymous.authenticated(phone)))
        }
        for device in devices { try await device.connect() }
        let allDevices = devices
        let everyone = people

        let ledger = Ledger()
        let done = StopFlag()
        let deadline = started + timeLimit
        let settleDeadline = { ContinuousClock.now + .seconds(30) }

        let kills = Counter()
        // A server that dies by itself ends the run at once, with its crash report, instead
        // of leaving every send to retry until the time limit.
        let crash = CrashReport()
        // Once the run is ending on a crash, every lane's wait is bounded (3 s per send, 5 s per
        // connect, 30 s per HTTP request): a lane still running 45 s later is stuck, and says where.
        let runEnded = StopFlag()
        defer { runEnded.set() }
        let armTeardownWatchdog: @Sendable () -> Void = {
            DispatchQueue.global().asyncAfter(deadline: .now() + 45) {
                guard !runEnded.isSet else { return }
                report("im-faults: FAIL: 45 s after the run began to end, some lanes still run:\n\(board.summary)")
                exit(2)
            }
        }
        let checkServerAlive: @Sendable () throws -> Void = {
            guard server.exitedOnItsOwn else { return }
            let text = "im-server exited without being killed; from its log:\n\(server.crashReport())"
            if crash.text == nil { armTeardownWatchdog() }
            crash.set(text)
            throw FaultError(text)
        }
        // A progress line every few seconds, so a stuck run shows where it stands.
        let progress = Task {
            while !done.isSet {
                try await Task.sleep(for: .seconds(5))
                report(
                    "im-faults: … \(await ledger.ackedCount)/\(messageCount) acknowledged, \(kills.value)/\(cycles) kills, "
                        + "\(await ledger.sendRetries) retries")
            }
        }
        // Kill the server at evenly spaced points of the traffic, and restart it at once.
        let killer = Task {
            do {
                for cycle in 1...max(cycles, 1) where cycles > 0 {
                    let threshold = messageCount * cycle / (cycles + 1)
                    while await ledger.ackedCount < threshold, !done.isSet {
                        try checkServerAlive()
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    server.kill()
                    kills.increment()
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...50)))
                    try await server.start()
                }
                // After the last restart: watch until the traffic is over.
                while !done.isSet {
                    try checkServerAlive()
                    try await Task.sleep(for: .milliseconds(20))
                }
            } catch {
                // A restart that failed ends the run as a crash does: the sends would only retry.
                if crash.text == nil { crash.set("the server could not be restarted: \(error)") }
                throw error
            }
        }
        // Drop a random device's connection every few tens of milliseconds; reconnect the dropped.
        let chaos = Task {
            var tick = 0
            while !done.isSet {
                tick += 1
                try await Task.sleep(for: .milliseconds(20))
                if tick % 3 == 0 { await allDevices.randomElement()!.disconnect() }
                for device in allDevices where await !device.isConnected {
                    try? await device.connect()
                }
            }
        }

        // The traffic: each user sends its share, a few at a time, each until acknowledged.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, person) in everyone.enumerated() {
                let share = messageCount / userCount + (index < messageCount % userCount ? 1 : 0)
                for lane in 0..<concurrency {
                    group.addTask {
                        let laneName = "user \(index) lane \(lane)"
                        defer { board.clear(laneName) }
                        var number = lane
                        while number < share {
                            let recipient = everyone.filter { $0.user.id != person.user.id }.randomElement()!.user.id
                            let device = person.devices.randomElement()!
                            let clientMsgID = "\(person.user.username)-\(number)"
                            try await sendUntilAcknowledged(
                                from: device, to: recipient, clientMsgID: clientMsgID, ledger: ledger, deadline: deadline,
                                crash: crash, board: board, lane: laneName)
                            if number % 25 == 0 {
                                try await markSomethingRead(
                                    person.user.id, device: device, http: person.http, ledger: ledger, crash: crash,
                                    board: board, lane: laneName)
                            }
                            number += concurrency
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        done.set()
        try await killer.value
        try await chaos.value
        progress.cancel()
        let trafficTime = ContinuousClock.now - started

        // Settle: every device connected and at the head of its timeline.
        for device in devices {
            var settled = false
            let settleBy = settleDeadline()
            while !settled, ContinuousClock.now < settleBy {
                try? await device.connect()
                try? await device.catchUp()
                if let head = try? await device.serverHead(), await device.timeline.version == head,
                    await device.timeline.gap == nil
                {
                    settled = true
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            if !settled {
                let head = try? await device.serverHead()
                await ledger.violation(
                    "device \(device.credentials.deviceID) of user \(device.user) did not reach its head \(head.map(String.init) ?? "?"): "
                        + "at \(await device.timeline.version), gap \(String(describing: await device.timeline.gap)), "
                        + "connected \(await device.isConnected)")
            }
        }

        return try await check(people: people, ledger: ledger, cycles: cycles, trafficTime: trafficTime)
    }

    /// Retries with the same client message id until the server acknowledges: the server must
    /// store it once however many attempts reach it.
    func sendUntilAcknowledged(
        from device: IMDevice, to recipient: UserID, clientMsgID: String, ledger: Ledger, deadline: ContinuousClock.Instant,
        crash: CrashReport, board: LaneBoard, lane: String
    ) async throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                if await !device.isConnected {
                    board.set(lane, "connect \(device.credentials.deviceID) for \(clientMsgID) attempt \(attempt)")
                    try await device.connect()
                }
                board.set(lane, "send \(clientMsgID) attempt \(attempt)")
                let message = try await device.send(
                    to: recipient, body: "message \(clientMsgID) attempt \(attempt)", clientMsgID: clientMsgID,
                    timeout: .seconds(3))
                await ledger.record(message, clientMsgID: clientMsgID)
                return
            } catch {
                await ledger.retried()
                if let text = crash.text { throw FaultError(text) }
                guard ContinuousClock.now < deadline else { throw FaultError("\(clientMsgID) was never acknowledged") }
                board.set(lane, "pause before retrying \(clientMsgID)")
                try await Task.sleep(for: .milliseconds(Int.random(in: 10...60)))
            }
        }
    }

    /// Reads one conversation up to what this device has seen, retrying until acknowledged.
    func markSomethingRead(
        _ user: UserID, device: IMDevice, http: IMHTTPClient, ledger: Ledger, crash: CrashReport, board: LaneBoard,
        lane: String
    ) async throws {
        let conversations = await device.timeline.conversations
        guard let (conversation, list) = conversations.randomElement(), let seq = list.last?.seq else { return }
        for attempt in 1...200 {
            // A server that died by itself is not coming back: stop at once, as the sends do.
            // (Before this check, a lane retried here for up to 200 × 30 s while the run waited.)
            if let text = crash.text { throw FaultError(text) }
            board.set(lane, "read mark of \(conversation) attempt \(attempt)")
            if (try? await http.markRead(conversation, upToSeq: seq, timeout: .seconds(5))) != nil {
                await ledger.recordRead(user, conversation, upTo: seq)
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw FaultError("a read mark of \(conversation) was never acknowledged")
    }

    func check(
        people: [(user: User, devices: [IMDevice], http: IMHTTPClient)], ledger: Ledger, cycles: Int, trafficTime: Duration
    ) async throws -> [String] {
        var failures = await ledger.violations
        let acked = await ledger.acked
        let readUpTo = await ledger.readUpTo
        var presences = 0
        var storedChecked = 0

        // 1. The server stored each acknowledged message once (by client message id, per conversation).
        var conversations: Set<ConversationID> = []
        for message in acked.values { conversations.insert(message.conversationID) }
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.user.id, $0) })
        for conversation in conversations {
            guard let member = conversation.members.first, let person = byID[member] else { continue }
            var before: MessageID?
            var counts: [String: Int] = [:]
            while true {
                let page = try await person.http.history(of: conversation, before: before, limit: 100)
                for message in page.messages { counts[message.clientMsgID ?? "-", default: 0] += 1 }
                guard page.hasMore, let oldest = page.messages.first else { break }
                before = oldest.id
            }
            for (clientMsgID, count) in counts where count != 1 {
                failures.append("\(clientMsgID) is stored \(count) times in \(conversation)")
            }
            storedChecked += counts.count
        }
        let expectedStored = acked.count
        if storedChecked != expectedStored {
            failures.append("the server holds \(storedChecked) messages, \(expectedStored) were acknowledged")
        }

        // 2. Every device: every acknowledged message of its user, once, in order; same view as its twin.
        for person in people {
            let mine = acked.values.filter { $0.from == person.user.id || $0.to == person.user.id }
            var versions: Set<Int64> = []
            var messageSets: [Set<MessageID>] = []
            for device in person.devices {
                let timeline = await device.timeline
                let name = "\(person.user.username)/\(device.credentials.deviceID)"
                for message in mine where timeline.messages[message.id] == nil {
                    failures.append("\(name) is missing message \(message.id) (\(message.clientMsgID ?? "-"))")
                }
                presences += mine.count
                if timeline.duplicates > 0 { failures.append("\(name) received \(timeline.duplicates) duplicates") }
                if timeline.outOfOrder > 0 { failures.append("\(name) saw \(timeline.outOfOrder) messages out of seq order") }
                if timeline.brokenLinks > 0 { failures.append("\(name) saw \(timeline.brokenLinks) broken prevSeq links") }
                versions.insert(timeline.version)
                messageSets.append(Set(timeline.messages.keys))

                // 3. Unread on the device matches the server and the read marks.
                let contacts = try await person.http.contacts()
                let sum = contacts.contacts.reduce(0) { $0 + $1.unread }
                if contacts.totalUnread != sum {
                    failures.append("\(person.user.username): total unread \(contacts.totalUnread) ≠ sum of parts \(sum)")
                }
                for contact in contacts.contacts {
                    let readSeq = readUpTo[person.user.id]?[contact.conversationID] ?? 0
                    let expected = mine.filter {
                        $0.conversationID == contact.conversationID && $0.to == person.user.id && ($0.seq ?? 0) > readSeq
                    }.count
                    if contact.unread != expected {
                        failures.append(
                            "\(person.user.username) \(contact.conversationID): server unread \(contact.unread), expected \(expected)"
                        )
                    }
                    let onDevice = timeline.unread(in: contact.conversationID, for: person.user.id)
                    if onDevice != expected {
                        failures.append("\(name) \(contact.conversationID): device unread \(onDevice), expected \(expected)")
                    }
                }
            }
            if versions.count != 1 {
                failures.append("\(person.user.username)'s devices stopped at versions \(versions.sorted())")
            }
            if Set(messageSets.map(\.count)).count != 1 || messageSets.dropFirst().contains(where: { $0 != messageSets[0] }) {
                failures.append("\(person.user.username)'s devices hold different messages")
            }
        }

        var connects = 0
        var resets = 0
        for person in people {
            for device in person.devices {
                connects += await device.connectCount
                resets += await device.timeline.resets
            }
        }
        let seconds = Double(trafficTime.components.seconds) + Double(trafficTime.components.attoseconds) / 1e18
        report(
            """
            im-faults: \(cycles) SIGKILL/restart cycles, \(people.count) users × 2 devices, \(String(format: "%.1f", seconds)) s of traffic
            im-faults: \(acked.count) messages acknowledged (\(await ledger.sendRetries) send retries), \(await ledger.readMarks) read marks
            im-faults: checked \(storedChecked) stored messages once each, \(presences) message×device presences, \(connects) device connects, \(resets) resets
            im-faults: \(failures.isEmpty ? "OK — nothing acknowledged was lost or doubled, orders and unread counts hold, devices converged" : "\(failures.count) violation(s)")
            """)
        return failures
    }
}

/// Tells the background tasks that the traffic is over.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// Why the server died by itself, once the killer task has seen it.
final class CrashReport: Sendable {
    private let storage = Mutex<String?>(nil)
    var text: String? { storage.withLock { $0 } }
    func set(_ text: String) { storage.withLock { $0 = text } }
}

/// What each traffic lane is waiting for right now, for the report of a run that got stuck.
final class LaneBoard: Sendable {
    private let lanes = Mutex<[String: (step: String, since: ContinuousClock.Instant)]>([:])

    func set(_ lane: String, _ step: String) { lanes.withLock { $0[lane] = (step, .now) } }
    func clear(_ lane: String) { _ = lanes.withLock { $0.removeValue(forKey: lane) } }

    /// One line per lane still running, the longest waiting first.
    var summary: String {
        let now = ContinuousClock.now
        return lanes.withLock { lanes in
            lanes.sorted { $0.value.since < $1.value.since }
                .map { "  \($0.key): \($0.value.step) for \(now - $0.value.since)" }
                .joined(separator: "\n")
        }
    }
}

/// A count shared by tasks.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    var value: Int { storage.load(ordering: .relaxed) }
    func increment() { storage.add(1, ordering: .relaxed) }
}
