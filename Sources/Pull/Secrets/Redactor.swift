import Foundation

/// Knows the secrets alive in a pull (the client secret, every access token the vendor issued) and blanks them out
/// of any text before it reaches a log line, an error or a message: vendor responses may echo a token, and an HTTP
/// library's error may quote a request.
public final class Redactor: @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: [VendorSecret] = []

    /// What a secret is replaced with.
    public static let mark = "[REDACTED]"

    public init() {}

    func register(_ secret: VendorSecret) {
        lock.lock()
        defer { lock.unlock() }
        secrets.append(secret)
    }

    /// `text` with every live secret, as is and percent-encoded (as it travels in a form body or a query), replaced.
    public func redact(_ text: String) -> String {
        lock.lock()
        let current = secrets
        lock.unlock()
        guard !current.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for secret in current where secret.count >= 4 {
            secret.withUnsafeBytes { raw in
                changed = Self.replace(raw, in: &bytes) || changed
                var encoded = Self.percentEncoded(raw)
                if encoded.count != raw.count {
                    encoded.withUnsafeBytes { changed = Self.replace($0, in: &bytes) || changed }
                }
                VendorSecret.wipe(&encoded)
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Replaces each occurrence of `needle` in `bytes` with the mark; whether any was found.
    private static func replace(_ needle: UnsafeRawBufferPointer, in bytes: inout [UInt8]) -> Bool {
        guard needle.count > 0, bytes.count >= needle.count else { return false }
        var result: [UInt8] = []
        var index = 0
        var found = false
        let first = needle[0]
        while index < bytes.count {
            if bytes[index] == first && index + needle.count <= bytes.count
                && bytes[index..<(index + needle.count)].elementsEqual(needle)
            {
                result.append(contentsOf: mark.utf8)
                index += needle.count
                found = true
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        if found { bytes = result }
        return found
    }

    /// `application/x-www-form-urlencoded` form of the bytes (RFC 3986 unreserved characters kept).
    static func percentEncoded(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(raw.count * 3)
        for byte in raw {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return out
    }
}
