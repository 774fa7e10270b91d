/// One property value of an OData record, as the vendor wrote it: numbers keep their text (`15000000.00` stays so,
/// no binary rounding), booleans are `true`/`false`, null is null.
enum JSONScalar: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    /// A nested object or array (not expected in a flat OData record), kept as its JSON text.
    case nested(String)

    /// The field as written into CSV: nil for null (an empty field).
    var csvText: String? {
        switch self {
        case .null: return nil
        case .bool(let value): return value ? "true" : "false"
        case .number(let text), .string(let text), .nested(let text): return text
        }
    }
}

/// A page of OData records: `value`, `@odata.nextLink` and `@odata.count`.
struct ODataPage: Sendable {
    var records: [[String: JSONScalar]] = []
    var nextLink: String?
    var count: Int?
}

/// Reads an OData page with a small JSON parser of its own, because Foundation's decoders turn numbers into binary
/// values and would rewrite what the vendor sent. Bounded: nesting deeper than 64 levels is refused.
struct ODataPageReader {
    private let bytes: [UInt8]
    private var index = 0

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ bytes: [UInt8]) throws -> ODataPage {
        var reader = ODataPageReader(bytes: bytes)
        var page = ODataPage()
        try reader.skipSpace()
        try reader.expect(UInt8(ascii: "{"))
        try reader.members { reader, key in
            switch key {
            case "value":
                try reader.expect(UInt8(ascii: "["))
                try reader.elements { reader in
                    var record: [String: JSONScalar] = [:]
                    try reader.expect(UInt8(ascii: "{"))
                    try reader.members { reader, property in record[property] = try reader.scalar(depth: 1) }
                    page.records.append(record)
                }
            case "@odata.nextLink":
                guard case .string(let link) = try reader.scalar(depth: 1) else {
                    throw Malformed(description: "@odata.nextLink is not a string")
                }
                page.nextLink = link
            case "@odata.count":
                guard case .number(let text) = try reader.scalar(depth: 1), let count = Int(text) else {
                    throw Malformed(description: "@odata.count is not a whole number")
                }
                page.count = count
            default:
                _ = try reader.scalar(depth: 1)
            }
        }
        try reader.skipSpace()
        guard reader.index == bytes.count else { throw Malformed(description: "text after the page's object") }
        return page
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() throws {
        while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
    }

    private mutating func peek() throws -> UInt8 {
        try skipSpace()
        guard index < bytes.count else { throw Malformed(description: "the JSON ends early") }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else {
            throw Malformed(description: "expected \(Character(Unicode.Scalar(byte))) at byte \(index)")
        }
        index += 1
    }

    /// Calls `body` for each `"key": value` of an object whose `{` was read, up to its `}`.
    private mutating func members(_ body: (inout ODataPageReader, String) throws -> Void) throws {
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard case .string(let key) = try scalar(depth: 64) else {
                throw Malformed(description: "an object key is not a string")
            }
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else {
                throw Malformed(description: "expected , or } at byte \(index - 1)")
            }
        }
    }

    /// Calls `body` for each element of an array whose `[` was read, up to its `]`.
    private mutating func elements(_ body: (inout ODataPageReader) throws -> Void) throws {
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try body(&self)
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else {
                throw Malformed(description: "expected , or ] at byte \(index - 1)")
            }
        }
    }

    /// One value; objects and arrays come back as their JSON text.
    private mutating func scalar(depth: Int) throws -> JSONScalar {
        guard depth <= 64 else { throw Malformed(description: "nesting deeper than 64 levels") }
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = index
            let open = bytes[index]
            index += 1
            if open == UInt8(ascii: "{") {
                try members { reader, _ in _ = try reader.scalar(depth: depth + 1) }
            } else {
                try elements { reader in _ = try reader.scalar(depth: depth + 1) }
            }
            return .nested(String(decoding: bytes[start..<index], as: UTF8.self))
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return .number(try number())
        }
    }

    private mutating func literal(_ word: String) throws {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw Malformed(description: "unexpected text at byte \(index)")
        }
        index += expected.count
    }

    /// A JSON number (RFC 8259 §6), returned as written.
    private mutating func number() throws -> String {
        let start = index
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digits = { (reader: inout ODataPageReader) -> Int in
            let from = reader.index
            while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) {
                reader.index += 1
            }
            return reader.index - from
        }
        guard digits(&self) > 0 else { throw Malformed(description: "not a value at byte \(start)") }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw Malformed(description: "a number without digits after its point") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digits(&self) > 0 else { throw Malformed(description: "a number without exponent digits") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A JSON string with its escapes resolved.
    private mutating func string() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var run = index
        var pending: [UInt8] = []
        func flush() {
            pending.append(contentsOf: bytes[run..<index])
        }
        while true {
            guard index < bytes.count else { throw Malformed(description: "a string does not end") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush()
                index += 1
                scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
                return String(scalars)
            }
            guard byte >= 0x20 else { throw Malformed(description: "a control character inside a string") }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            flush()
            scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars)
            pending = []
            guard index + 1 < bytes.count else { throw Malformed(description: "a string ends in an escape") }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800...0xDBFF).contains(value), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw Malformed(description: "a broken surrogate pair")
                    }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default:
                throw Malformed(description: "an unknown escape in a string")
            }
            run = index
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
        else {
            throw Malformed(description: "a bad \\u escape")
        }
        index += 4
        return value
    }
}
