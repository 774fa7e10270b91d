import Foundation

/// The one JSON style of every command's `--json` output (docs/CLI.md): one object on standard output with a `status`
/// member first (`ok`, or what went wrong: `problems`, `failed`, `error`), then `id` when the object has one, then the
/// other members in alphabetical order; two-space indentation, `"key": value`, empty arrays and objects as `[]` and
/// `{}`, `/` unescaped. Values are exact (never escaped for a terminal): scripts get the bytes the vault holds.
enum JSONOutput {
    /// `value` in the house style. A top-level object without `status` gets `"status": "ok"` (or `status` when given).
    static func text<T: Encodable>(_ value: T, status: String? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var parser = Parser(bytes: Array(try encoder.encode(value)))
        guard var tree = parser.value() else { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "unparsable")) }
        if case .object(var members) = tree {
            members.removeAll { $0.key == "status" && status != nil }
            if !members.contains(where: { $0.key == "status" }) { members.append(("status", .scalar(quoted(status ?? "ok")))) }
            tree = .object(members)
        }
        var output = ""
        write(tree, indent: "", into: &output)
        return output
    }

    /// A JSON string literal, as JSONEncoder writes it (slashes unescaped).
    static func quoted(_ string: String) -> String {
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + string + "\""
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let text = String(decoding: (try? encoder.encode([string])) ?? Data("[\"\"]".utf8), as: UTF8.self)
        return String(text.dropFirst().dropLast())
    }

    indirect enum Node {
        case object([(key: String, value: Node)])
        case array([Node])
        /// A string, number, `true`, `false` or `null`, as the encoder wrote it.
        case scalar(String)
    }

    private static func ordered(_ members: [(key: String, value: Node)]) -> [(key: String, value: Node)] {
        let first = ["status", "id"]
        return first.compactMap { key in members.first { $0.key == key } } + members.filter { !first.contains($0.key) }
    }

    private static func write(_ node: Node, indent: String, into output: inout String) {
        switch node {
        case .scalar(let text):
            output += text
        case .array(let elements):
            guard !elements.isEmpty else { return output += "[]" }
            output += "[\n"
            for (index, element) in elements.enumerated() {
                output += indent + "  "
                write(element, indent: indent + "  ", into: &output)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { return output += "{}" }
            output += "{\n"
            let sorted = ordered(members)
            for (index, member) in sorted.enumerated() {
                output += indent + "  " + quoted(member.key) + ": "
                write(member.value, indent: indent + "  ", into: &output)
                output += index == sorted.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        }
    }

    /// Reads back the compact text JSONEncoder wrote, keeping member order and each scalar's exact text.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        mutating func value() -> Node? {
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var members: [(key: String, value: Node)] = []
                if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object([])
                }
                while true {
                    guard let keyText = string(), let key = Self.unquoted(keyText),
                        position < bytes.count, bytes[position] == UInt8(ascii: ":")
                    else { return nil }
                    position += 1
                    guard let member = value(), position < bytes.count else { return nil }
                    members.append((key, member))
                    position += 1
                    if bytes[position - 1] == UInt8(ascii: "}") { return .object(members) }
                    guard bytes[position - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "["):
                position += 1
                var elements: [Node] = []
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array([])
                }
                while true {
                    guard let element = value(), position < bytes.count else { return nil }
                    elements.append(element)
                    position += 1
                    if bytes[position - 1] == UInt8(ascii: "]") { return .array(elements) }
                    guard bytes[position - 1] == UInt8(ascii: ",") else { return nil }
                }
            case UInt8(ascii: "\""):
                return string().map(Node.scalar)
            default:
                let start = position
                while position < bytes.count, !",]}".utf8.contains(bytes[position]) { position += 1 }
                return .scalar(String(decoding: bytes[start..<position], as: UTF8.self))
            }
        }

        /// The text of a string literal (a key): plain keys directly, escaped ones through a decoder.
        static func unquoted(_ literal: String) -> String? {
            if !literal.contains("\\") { return String(literal.dropFirst().dropLast()) }
            return try? JSONDecoder().decode(String.self, from: Data(literal.utf8))
        }

        /// A string literal with its quotes and escapes, as written.
        mutating func string() -> String? {
            let start = position
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: bytes[start..<position], as: UTF8.self)
                default: position += 1
                }
            }
            return nil
        }
    }
}

/// Writes `value` in the house JSON style on standard output (see ``JSONOutput``).
func printJSON<T: Encodable>(_ value: T, status: String? = nil) throws {
    print(try JSONOutput.text(value, status: status))
}
