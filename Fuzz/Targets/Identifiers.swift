// Fuzz target: conversation and device ids, which arrive in URLs, frames and tokens.
//
// A conversation id has exactly one spelling per pair of members, and a device id is a short
// name of safe characters: whatever string is offered, an id made from it must hold to that.

import Foundation
import IMCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIdentifiers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    let text = String(decoding: bytes, as: UTF8.self)
    if let conversation = ConversationID(rawValue: text) {
        let members = conversation.members
        require(members.count == 2 && members[0].rawValue > 0 && members[0] <= members[1], "members of \(text)")
        require(ConversationID.direct(members[1], members[0]) == conversation, "\(text) is not canonical")
        require(conversation.peer(of: members[0]) == members[1] && conversation.hasMember(members[1]), "peers of \(text)")
    }
    if let device = DeviceID(rawValue: text) {
        require(device.rawValue == text && (1...64).contains(text.utf8.count), "device id \(text)")
    }
    // The same strings as JSON values, the way frames and claims carry them.
    let decoder = JSONDecoder()
    let data = Data(bytes)
    if let conversation = try? decoder.decode(ConversationID.self, from: data) {
        require(ConversationID(rawValue: conversation.rawValue) == conversation, "JSON \(text)")
    }
    if let device = try? decoder.decode(DeviceID.self, from: data) {
        require(DeviceID(rawValue: device.rawValue) == device, "JSON \(text)")
    }
    _ = try? decoder.decode(UserID.self, from: data)
    return 0
}
