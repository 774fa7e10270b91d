#if canImport(Glibc)
import Glibc
#endif

/// How a column's values are stored in the replica and turned back into the exported text.
///
/// A column is typed only when every value round-trips exactly: reading the stored value back and writing it with
/// the column's format gives the bytes the export held. `0100`, `+49 30 …`, `1e5` or `007` keep a column text.
public enum ColumnFormat: Sendable, Equatable, Hashable {
    /// TEXT, as exported.
    case text
    /// INTEGER: canonical decimal integers (`-12`, `0`, never `007`, `+1` or `-0`) that fit 64 bits.
    case integer
    /// REAL: each value is the shortest text that reads back as the same double (`0.1`, `1500.0`, `1e-05`).
    case real
    /// REAL: every value has exactly this many decimals (`1500.00`), and `%.Nf` of the double gives it back.
    case fixed(decimals: Int)
    /// REAL holding whole numbers written as integers (`1500`), exact below 2^53.
    case integral
    /// BOOLEAN (stored 1 and 0), written back with the export's own spelling (`true`/`false`, `1`/`0`).
    case boolean(true: String, false: String)

    /// The declared SQL type: it gives the column the affinity its values need (TEXT never converts a value).
    public var sqlType: String {
        switch self {
        case .text: "TEXT"
        case .integer: "INTEGER"
        case .real, .fixed, .integral: "REAL"
        case .boolean: "BOOLEAN"
        }
    }

    /// The format as written in `crmvault_columns.format` and reports: `text`, `integer`, `real`, `real %.2f`,
    /// `real integral`, `boolean true/false`.
    public var name: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .real: "real"
        case .fixed(let decimals): "real %.\(decimals)f"
        case .integral: "real integral"
        case .boolean(let yes, let no): "boolean \(yes)/\(no)"
        }
    }

    public var isTyped: Bool { self != .text }
}

/// Parsing and printing of the typed formats, on bytes, with no allocation on the common path.
enum ValueText {
    /// The value of a canonical decimal integer that fits 64 bits, or nil (`007`, `+1`, `-0`, `1.0`, empty).
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let isNegative = bytes.first == 0x2D
        if isNegative { index = 1 }
        let digits = bytes.count - index
        guard digits >= 1, digits <= 19 else { return nil }
        if bytes[index] == 0x30 && (digits > 1 || isNegative) { return nil }
        var value: UInt64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
            index += 1
        }
        if isNegative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// The double written in `bytes` (a plain decimal or exponent literal; no `inf`, `nan`, hex or spaces).
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count < 64 else { return nil }
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x2B, 0x2D, 0x2E, 0x45, 0x65: continue
            default: return nil
            }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count { buffer[index] = CChar(bitPattern: bytes[index]) }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == bytes.count, value.isFinite else { return nil }
            return value
        }
    }

    /// The number of digits after the decimal point of a plain decimal (`12.50` → 2), nil without one or with an exponent.
    static func decimals(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let point = bytes.firstIndex(of: 0x2E) else { return nil }
        guard !bytes.contains(0x45), !bytes.contains(0x65) else { return nil }
        return bytes.count - point - 1
    }

    /// How a REAL column writes its values (a trivial type, cheap to pass per cell).
    enum RealStyle: Equatable {
        case shortest, fixed(Int), integral

        init(_ format: ColumnFormat) {
            switch format {
            case .fixed(let decimals): self = .fixed(decimals)
            case .integral: self = .integral
            default: self = .shortest
            }
        }
    }

    /// Writes `value` in `style` and calls `body` with the bytes.
    static func withText<Result>(
        real value: Double, _ style: RealStyle, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        switch style {
        case .shortest:
            var text = value.description
            return text.withUTF8 { body($0) }
        case .fixed(let decimals):
            return printf(value, decimals: decimals, body)
        case .integral:
            return printf(value, decimals: 0, body)
        }
    }

    /// `%.*f` of `value`: from its shortest text when that is exact (see ``fixedFromShortest(_:decimals:_:)``), else
    /// from the C library.
    private static func printf<Result>(
        _ value: Double, decimals: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let result = fixedFromShortest(value, decimals: decimals, body) { return result }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 400) { buffer in
            let count = withVaList([Int32(decimals), value]) { vsnprintf(buffer.baseAddress!, 400, "%.*f", $0) }
            return buffer.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: 400) {
                body(UnsafeBufferPointer(start: $0, count: Int(max(0, min(count, 399)))))
            }
        }
    }

    /// `%.*f` of `value` written from its shortest text (Swift's `description`), without the C library's variadic call
    /// (its argument boxing and `printf_fp` were a fifth of a parsing thread's time on a month with fixed-decimal
    /// columns); nil when that would not be exact. Exact when the shortest text S has no exponent, at most `decimals`
    /// decimals, and its integer digits plus `decimals` are at most 15: the double V lies within half a unit in the
    /// last place of S, at most |V|·2⁻⁵³ < 10^(15 − decimals)·1.2·10⁻¹⁶ < 0.5·10^−decimals, so V rounded to `decimals`
    /// decimals (what `%.*f` writes) is S with zeros appended.
    static func fixedFromShortest<Result>(
        _ value: Double, decimals: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        guard value.isFinite, (0...15).contains(decimals) else { return nil }
        var shortest = value.description
        return shortest.withUTF8 { text -> Result? in
            guard let point = text.firstIndex(of: 0x2E), !text.contains(0x65), !text.contains(0x45) else { return nil }
            let integerDigits = point - (text.first == 0x2D ? 1 : 0)
            var fraction = text.count - point - 1
            if fraction == 1 && text[point + 1] == 0x30 { fraction = 0 }  // a whole number is written `1500.0`
            guard fraction <= decimals, integerDigits + decimals <= 15 else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
                var count = 0
                for index in 0..<point {
                    buffer[count] = text[index]
                    count += 1
                }
                if decimals > 0 {
                    buffer[count] = 0x2E
                    count += 1
                    for index in 0..<decimals {
                        buffer[count] = index < fraction ? text[point + 1 + index] : 0x30
                        count += 1
                    }
                }
                return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    /// Writes a 64-bit integer in decimal and calls `body` with the bytes.
    static func withText<Result>(integer value: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var magnitude = value.magnitude
            var index = 20
            repeat {
                index -= 1
                buffer[index] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                index -= 1
                buffer[index] = 0x2D
            }
            return body(UnsafeBufferPointer(rebasing: buffer[index..<20]))
        }
    }
}

extension ColumnFormat {
    /// The format named `name` (as ``name`` writes it), or nil.
    public init?(name: String) {
        switch name {
        case "text": self = .text
        case "integer": self = .integer
        case "real": self = .real
        case "real integral": self = .integral
        default:
            if name.hasPrefix("real %."), name.hasSuffix("f"), let decimals = Int(name.dropFirst(7).dropLast()),
                (0...30).contains(decimals)
            {
                self = .fixed(decimals: decimals)
            } else if name.hasPrefix("boolean "), case let spellings = name.dropFirst(8).split(separator: "/"),
                spellings.count == 2
            {
                self = .boolean(true: String(spellings[0]), false: String(spellings[1]))
            } else {
                return nil
            }
        }
    }
}
