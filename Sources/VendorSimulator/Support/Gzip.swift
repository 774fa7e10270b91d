import Foundation
import ZIPFoundation

/// gzip (RFC 1952) around zlib's raw deflate, which ZIPFoundation exposes; this is what the vendors send when a
/// client asks for `Accept-Encoding: gzip`.
enum Gzip {
    /// The gzip member holding `data`: a fixed header (no name, no time), raw deflate, CRC-32 and size.
    static func compress(_ data: Data) throws -> Data {
        var deflated = Data()
        let crc = try Data.compress(
            size: Int64(data.count), bufferSize: 64 * 1024,
            provider: { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            },
            consumer: { chunk in
                deflated.append(chunk)
            })
        var member = Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF])
        member.append(deflated)
        appendLittleEndian(UInt32(crc), to: &member)
        appendLittleEndian(UInt32(truncatingIfNeeded: data.count), to: &member)
        return member
    }

    /// Whether an `Accept-Encoding` header value accepts gzip (`gzip`, `gzip;q=1`, `*`; not `gzip;q=0`).
    static func isAccepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for part in acceptEncoding.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = pieces.first, coding == "gzip" || coding == "*" else { continue }
            let refused = pieces.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
            if !refused { return true }
        }
        return false
    }

    private static func appendLittleEndian(_ value: UInt32, to data: inout Data) {
        for shift in stride(from: 0, to: 32, by: 8) {
            data.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}
