// Fuzz target: the bodies of the HTTP tunnel (uploads from clients, pages and openings from the
// server), and the JSON values that carry frames inside them.
//
// A body either decodes or throws. The tunnel re-encodes every frame it relays, so a value read
// and written back must mean the same: the same JSON, except that a number with a fraction or an
// exponent whose value is a whole number may come back as an integer (JSONEncoder writes 1.0 as
// `1`, and 1e17 reads back as an Int64), equal as a Double. One more trip must change nothing.

import Foundation
import IMCore
import IMTunnel

/// Decoded, written and decoded twice more: the second and third readings must be equal.
private func settles<Body: Codable & Equatable>(_: Body.Type, _ data: Data) {
    guard let body = try? JSONDecoder().decode(Body.self, from: data) else { return }
    let once = reread(body)
    require(once != nil, "\(Body.self) \(body) does not read back")
    require(reread(once) == once, "\(Body.self) \(body) changes on every trip")
}

private func reread<Body: Codable>(_ body: Body) -> Body? {
    guard let data = try? JSONEncoder().encode(body) else { fatalError("\(Body.self) \(body) does not encode") }
    return try? JSONDecoder().decode(Body.self, from: data)
}

/// Equal, with integers and whole-valued doubles equal when they are the same Double.
private func sameMeaning(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.integer(let i), .number(let d)), (.number(let d), .integer(let i)): Double(i) == d
    case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy(sameMeaning)
    case (.object(let x), .object(let y)):
        x.count == y.count && x.allSatisfy { key, value in y[key].map { sameMeaning(value, $0) } ?? false }
    default: a == b
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTunnelWire(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzInput(start, count)
    let data = Data(bytes)
    settles(TunnelUpload.self, data)
    settles(TunnelUploadResult.self, data)
    settles(TunnelDownPage.self, data)
    settles(TunnelOpened.self, data)
    // A frame inside a body is written back out as JSON text for the codec (`jsonBytes`).
    if let value = try? JSONValue(json: bytes) {
        guard let again = try? JSONValue(json: value.jsonBytes) else { fatalError("JSON value \(value) does not read back") }
        require(sameMeaning(value, again), "JSON value \(value) reads back as \(again)")
        require((try? JSONValue(json: again.jsonBytes)) == again, "JSON value \(again) changes on every trip")
    }
    return 0
}
