/// Reads a document that must be canonical JSON (docs/FORMAT.md §2) and accepts it only if its bytes are exactly the
/// canonical encoding of what they say: one object, keys sorted and unique, no whitespace, only the escapes canonical
/// JSON writes, integers in (-2^53, 2^53) without `+`, leading zeros, `-0`, fraction or exponent, no `null`, `true`
/// or `false`, valid UTF-8. So one signature or hash can never mean two documents to two parsers (a duplicate key
/// is read as its first value by some parsers and its last by others).
///
/// The error names the byte offset and what is wrong there. After parsing, the value is encoded again and compared
/// with the input, so nothing this parser lets through can differ from what a writer produces.
struct CanonicalJSONReader {
    /// Deeper than any document of the format nests; a crafted document cannot exhaust the stack.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// Parses `bytes` (without a trailing newline) as one canonical JSON object.
    static func read(_ bytes: [UInt8]) throws(FormatViolation) -> JSONValue {
        var reader = CanonicalJSONReader(bytes: bytes)
        guard bytes.first == UInt8(ascii: "{") else {
            throw reader.violation("does not start with `{` (a JSON object)")
        }
        let value = try reader.value()
        guard reader.position == bytes.count else { throw reader.violation("holds more after the end of the object") }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count)
        value.write(to: &encoded)
        guard encoded == bytes else {
            let offset =
                zip(encoded, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(encoded.count, bytes.count)
            throw FormatViolation(
                "§2", "is not canonical JSON: it differs from its canonical encoding at byte \(offset)")
        }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func violation(_ what: String, at offset: Int? = nil) -> FormatViolation {
        FormatViolation("§2", "is not canonical JSON: \(what) at byte \(offset ?? position)")
    }

    private mutating func value() throws(FormatViolation) -> JSONValue {
        guard position < bytes.count else { throw violation("the text ends where a value belongs") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            throw violation("`true`, `false` or `null` (version 1 documents hold none)")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
        case 0x20, 0x09, 0x0a, 0x0d: throw violation("whitespace")
        default: throw violation("an unexpected byte 0x\(Hex.encode([bytes[position]]))")
        }
    }

    private mutating func enter() throws(FormatViolation) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw violation("values nested more than \(Self.maximumDepth) deep") }
    }

    private mutating func object() throws(FormatViolation) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        if try consume(UInt8(ascii: "}")) { return .object(members) }
        var previous: [UInt8]?
        repeat {
            let start = position
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw violation("a key is missing")
            }
            let key = try string()
            let keyBytes = Array(key.utf8)
            if let previous {
                if previous == keyBytes { throw violation("the key \"\(key)\" appears twice", at: start) }
                guard previous.lexicographicallyPrecedes(keyBytes) else {
                    throw violation(
                        "the key \"\(key)\" comes after \"\(String(decoding: previous, as: UTF8.self))\" (keys unsorted)",
                        at: start)
                }
            }
            previous = keyBytes
            try expect(UInt8(ascii: ":"))
            members[key] = try value()
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
        return .object(members)
    }

    private mutating func array() throws(FormatViolation) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        if try consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try value())
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
        return .array(elements)
    }

    /// A string with only the escapes canonical JSON writes: `\"`, `\\`, `\b \t \n \f \r`, and `\u00xx` (lowercase)
    /// for the other control characters.
    private mutating func string() throws(FormatViolation) -> String {
        let opening = position
        position += 1
        var utf8: [UInt8] = []
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: bytes[runStart..<position])
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw violation("a string that is not valid UTF-8", at: opening)
                }
                return text
            }
            if byte < 0x20 { throw violation("a raw control character 0x\(Hex.encode([byte])) in a string") }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            utf8.append(contentsOf: bytes[runStart..<position])
            let escapeStart = position
            guard position + 1 < bytes.count else { throw violation("a string that does not end") }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5c)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "n"): utf8.append(0x0a)
            case UInt8(ascii: "f"): utf8.append(0x0c)
            case UInt8(ascii: "r"): utf8.append(0x0d)
            case UInt8(ascii: "u"):
                let digits = position + 4 <= bytes.count ? Array(bytes[position..<(position + 4)]) : []
                let text = String(decoding: digits, as: UTF8.self)
                guard digits.count == 4, text.hasPrefix("00"), let value = UInt8(text.dropFirst(2), radix: 16),
                    value < 0x20,
                    Hex.encode([value]) == text.dropFirst(2), ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(value)
                else {
                    throw violation(
                        "the escape \\u\(text), which canonical JSON never writes (only \\u00xx, lowercase, for a "
                            + "control character without a short escape)", at: escapeStart)
                }
                utf8.append(value)
                position += 4
            default:
                throw violation(
                    "the escape \\\(String(decoding: [escape], as: UTF8.self)), which canonical JSON never writes",
                    at: escapeStart)
            }
            runStart = position
        }
        throw violation("a string that does not end", at: opening)
    }

    private mutating func integer() throws(FormatViolation) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digits = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw violation("a number with a fraction or exponent (only integers are allowed)", at: start)
        }
        guard position > digits else { throw violation("a `-` without digits", at: start) }
        guard bytes[digits] != UInt8(ascii: "0") || position == digits + 1 else {
            throw violation("the number \(text) with a leading zero", at: start)
        }
        guard text != "-0" else { throw violation("the number -0", at: start) }
        guard position - digits <= 16, let value = Int64(text), abs(value) < 1 << 53 else {
            throw violation("the number \(text), outside (-2^53, 2^53)", at: start)
        }
        return .integer(value)
    }

    private mutating func consume(_ byte: UInt8) throws(FormatViolation) -> Bool {
        guard position < bytes.count else { throw violation("the text ends inside a value") }
        if [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { throw violation("whitespace") }
        guard bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(FormatViolation) {
        guard try consume(byte) else {
            throw violation("`\(String(decoding: [byte], as: UTF8.self))` is missing")
        }
    }
}

extension CanonicalJSONReader {
    /// The first rule `body` breaks as a document of `shape` (§2 canonical JSON, then the shape stated in `section`),
    /// or nil when it keeps them all.
    static func violation(of body: [UInt8], shape: JSONShape, section: String) -> FormatViolation? {
        do {
            try shape.check(try read(body), section: section)
            return nil
        } catch {
            return error
        }
    }
}
