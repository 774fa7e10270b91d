import Foundation
import VaultCore

/// JSON objects whose keys keep the order given (`id` first), for listings scripts read.
/// Foundation's JSONEncoder orders keys by hash or alphabetically, neither of which the contract wants.
enum OrderedJSON {
    enum Value {
        case string(String)
        case integer(Int)
    }

    static func array(_ objects: [[(String, Value)]]) -> String {
        guard !objects.isEmpty else { return "[]" }
        return "[\n" + objects.map { "  " + object($0, indent: "  ") }.joined(separator: ",\n") + "\n]"
    }

    static func object(_ fields: [(String, Value)], indent: String = "") -> String {
        let members = fields.map { key, value in
            let text: String
            switch value {
            case .string(let string): text = quoted(string)
            case .integer(let integer): text = String(integer)
            }
            return "\(indent)  \(quoted(key)): \(text)"
        }
        return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
    }

    private static func quoted(_ string: String) -> String {
        let data = try! JSONEncoder().encode([string])
        let text = String(decoding: data, as: UTF8.self)
        return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\/", with: "/")
    }
}

extension SnapshotSummary {
    var orderedFields: [(String, OrderedJSON.Value)] {
        [
            ("id", .string(id)), ("sequence", .integer(sequence)), ("time", .string(time)), ("label", .string(label)),
            ("source", .string(source)), ("sourceKind", .string(sourceKind)), ("origin", .string(origin)), ("files", .integer(files)),
            ("bytesIn", .integer(bytesIn)), ("bytesStored", .integer(bytesStored)), ("signer", .string(signer)),
        ]
    }
}
