// Lesson 06: the secret that signs session tokens, kept next to the data so tokens survive a restart.

import Foundation

/// Loads or creates the token signing key.
public enum TokenSigningKey {
    /// The key's size: 256 bits, HMAC-SHA256's own block of strength.
    public static let byteCount = 32

    /// Reads the key in `path` (base64), or creates one there (readable by the owner only).
    /// Whoever reads this file can mint tokens for any session: guard it like the database.
    public static func loadOrCreate(at path: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = Data(base64Encoded: text), key.count >= byteCount else {
                throw SecurityError(.badKey, "\(path) does not hold a base64 key of at least \(byteCount) bytes")
            }
            return Array(key)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let key = random()
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((Data(key).base64EncodedString() + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        guard created else { throw SecurityError(.badKey, "could not write a new token key to \(path)") }
        return key
    }

    /// A fresh random key.
    public static func random() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<byteCount).map { _ in generator.next() }
    }
}
