import Crypto
import Foundation

/// Identifiers derived from the org's seed or from other ids, so that a simulator started twice with one seed
/// hands out the same org id, client id and Dataverse GUIDs.
enum StableID {
    /// A lowercase GUID (`8-4-4-4-12`, version 4 layout) from the SHA-256 of `text`.
    static func guid(_ text: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(text.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(
                hex[
                    hex.index(
                        hex.startIndex, offsetBy: range.lowerBound)..<hex.index(
                            hex.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `count` base-62 characters from the SHA-256 of `text`.
    static func base62(_ text: String, count: Int) -> String {
        var characters: [Character] = []
        var round = 0
        while characters.count < count {
            for byte in SHA256.hash(data: Data("\(round):\(text)".utf8)) where characters.count < count {
                characters.append(base62[Int(byte) % 62])
            }
            round += 1
        }
        return String(characters)
    }

    /// An 18-character Salesforce id: key prefix, pod `5g0`, `number` in 9 base-62 digits, and the case-safety
    /// suffix (each 5-character block's capitals as a bit mask into `A-Z0-5`).
    static func salesforce(keyPrefix: String, number: UInt64) -> String {
        var digits: [Character] = []
        var rest = number
        for _ in 0..<9 {
            digits.insert(base62[Int(rest % 62)], at: 0)
            rest /= 62
        }
        let fifteen = Array(keyPrefix) + Array("5g0") + digits
        let suffixAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
        let suffix = stride(from: 0, to: 15, by: 5).map { start -> Character in
            let mask = (0..<5).reduce(0) { mask, offset in
                fifteen[start + offset].isUppercase ? mask | 1 << offset : mask
            }
            return suffixAlphabet[mask]
        }
        return String(fifteen + suffix)
    }
}
