#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text encoding of an export's CSV file: UTF-8 (with or without byte order mark) as every current vendor
/// writes it, or one of the single-byte encodings of older tools and Excel (docs/EXPORTS.md).
public enum CSVEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Windows code page 1252, a superset of ISO-8859-1 in 0x80–0x9F; its five undefined bytes map to the C1
    /// controls of the same value, as the WHATWG encoding standard does.
    case windows1252 = "windows-1252"
    /// ISO-8859-1: every byte is the code point of the same value.
    case latin1 = "iso-8859-1"

    /// The encoding named `name` (case-insensitive; `utf8`, `cp1252`, `latin1` and similar spellings accepted).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "windows1252", "win-1252": self = .windows1252
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1": self = .latin1
        default: return nil
        }
    }

    /// The encoding of the file at `path`: UTF-8 when it has a UTF-8 byte order mark or is valid UTF-8 throughout,
    /// else Windows-1252. Reads the whole file once, in blocks (bounded memory). A UTF-16 or UTF-32 byte order mark
    /// is refused with an error saying how to re-export.
    public static func detect(fileAt path: String, displayName: String? = nil) throws -> CSVEncoding {
        let name = displayName ?? path
        let file = try CSVFile(path: path, displayName: name)
        let capacity = 1 << 20
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var validator = UTF8Validator()
        var isFirst = true
        while true {
            let count = try file.read(into: buffer)
            if count == 0 { break }
            let bytes = UnsafeBufferPointer(rebasing: buffer[0..<count])
            if isFirst {
                isFirst = false
                if let bom = unsupportedByteOrderMark(bytes) {
                    throw CSVError(file: name, line: 1, kind: .unsupportedEncoding(bom))
                }
                if hasUTF8ByteOrderMark(bytes) { return .utf8 }
            }
            if validator.firstInvalid(in: bytes) != nil { return .windows1252 }
        }
        return validator.isComplete ? .utf8 : .windows1252
    }

    static func hasUTF8ByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// The name of a UTF-16 or UTF-32 byte order mark at the start of `bytes`, if there is one.
    static func unsupportedByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xFE && bytes[2] == 0 && bytes[3] == 0 {
            return "UTF-32LE"
        }
        if bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF {
            return "UTF-32BE"
        }
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE { return "UTF-16LE" }
        if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF { return "UTF-16BE" }
        return nil
    }

    /// UTF-8 bytes of the code points 0x80–0x9F in Windows-1252.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// For each byte value, its UTF-8 encoding packed little-endian in the low bytes, and its length in the top byte.
    static func conversionTable(for encoding: CSVEncoding) -> [UInt32] {
        (0..<256).map { (byte: Int) -> UInt32 in
            let scalar =
                encoding == .windows1252 && (0x80...0x9F).contains(byte) ? windows1252High[byte - 0x80] : UInt32(byte)
            if scalar < 0x80 { return 1 << 24 | scalar }
            if scalar < 0x800 { return 2 << 24 | (0x80 | scalar & 0x3F) << 8 | (0xC0 | scalar >> 6) }
            return 3 << 24 | (0x80 | scalar & 0x3F) << 16 | (0x80 | scalar >> 6 & 0x3F) << 8 | (0xE0 | scalar >> 12)
        }
    }
}

/// Checks UTF-8 block by block; a sequence may be split across blocks.
struct UTF8Validator {
    /// Continuation bytes still expected by the sequence that ended the previous block.
    private var pending = 0
    /// The allowed range of the first continuation byte (overlongs, surrogates and > U+10FFFF are invalid).
    private var firstLow: UInt8 = 0x80
    private var firstHigh: UInt8 = 0xBF
    private var isFirstContinuation = false

    /// True when no multi-byte sequence is left unfinished.
    var isComplete: Bool { pending == 0 }

    /// The offset of the first byte in `bytes` that makes the stream invalid UTF-8, or nil.
    mutating func firstInvalid(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        var index = 0
        while index < count {
            if pending == 0 {
                // Eight ASCII bytes at a time.
                while index + 8 <= count {
                    let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    index += 8
                }
                guard index < count else { break }
                let byte = base[index]
                index += 1
                switch byte {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: start(1, 0x80, 0xBF)
                case 0xE0: start(2, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: start(2, 0x80, 0xBF)
                case 0xED: start(2, 0x80, 0x9F)
                case 0xF0: start(3, 0x90, 0xBF)
                case 0xF1...0xF3: start(3, 0x80, 0xBF)
                case 0xF4: start(3, 0x80, 0x8F)
                default: return index - 1
                }
            } else {
                let byte = base[index]
                let (low, high): (UInt8, UInt8) = isFirstContinuation ? (firstLow, firstHigh) : (0x80, 0xBF)
                guard byte >= low && byte <= high else { return index }
                isFirstContinuation = false
                pending -= 1
                index += 1
            }
        }
        return nil
    }

    private mutating func start(_ continuations: Int, _ low: UInt8, _ high: UInt8) {
        pending = continuations
        firstLow = low
        firstHigh = high
        isFirstContinuation = true
    }
}

/// A CSV file opened for reading: no link followed, regular files only; closed in deinit.
final class CSVFile: CSVByteSource {
    let descriptor: Int32
    let displayName: String

    init(path: String, displayName: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            let reason =
                errno == ELOOP ? "it is a symbolic link, which is never followed" : String(cString: strerror(errno))
            throw CSVError(file: displayName, line: 0, kind: .unreadable(reason))
        }
        self.displayName = displayName
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw CSVError(file: displayName, line: 0, kind: .unreadable("it is not a regular file"))
        }
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw CSVError(file: displayName, line: 0, kind: .unreadable(String(cString: strerror(errno))))
        }
    }
}
