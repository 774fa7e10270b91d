import Foundation

/// Canonical JSON (docs/FORMAT.md §2): RFC 8785 restricted to integers. Everything hashed or signed that
/// is JSON is written through here, so equal content always has the same bytes.
public enum CanonicalJSON {
    /// Encodes a Codable value canonically: sorted keys, no whitespace, minimal escapes, integers only.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let plain = Array(try JSONEncoder().encode(value))
        // Re-read with a parser that never throws per value: a manifest of 70,000 files has millions of values, and
        // decoding each through `try?` attempts made every failed attempt an error, each costing a stack walk.
        var parser = JSONParser(plain)
        guard let tree = parser.document() else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not canonical JSON (fraction or exponent?)"))
        }
        var output = [UInt8]()
        output.reserveCapacity(plain.count)
        tree.write(to: &output)
        return output
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(bytes))
    }
}

/// A JSON document tree; only what canonical JSON allows (no floats, no null in what we write).
indirect enum JSONValue: Equatable {
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: Array("null".utf8))
        case .bool(let value): output.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .integer(let value): output.append(contentsOf: Array(String(value).utf8))
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5c, 0x5c])
            case 0x08: output.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x0a: output.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0c: output.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            case 0x0d: output.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x00..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0f)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
