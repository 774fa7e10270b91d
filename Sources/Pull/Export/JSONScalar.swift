import Foundation

/// One property value of an OData record, decoded without losing what the vendor wrote: strings as is, whole numbers
/// as integers, other numbers as decimals (no binary rounding), booleans as `true`/`false`, null as null.
enum JSONScalar: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Decimal)
    case string(String)
    /// A nested object or array (not expected in a flat OData record); kept as its JSON text.
    case nested(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .decimal(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONScalar].self) {
            self = .nested(Self.text(of: value))
        } else if let value = try? container.decode([JSONScalar].self) {
            self = .nested("[" + value.map { $0.csvText.map(Self.quoted) ?? "null" }.joined(separator: ",") + "]")
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    /// The field as written into CSV: nil for null (an empty field).
    var csvText: String? {
        switch self {
        case .null: return nil
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .decimal(let value): return value.description
        case .string(let value): return value
        case .nested(let text): return text
        }
    }

    private static func text(of object: [String: JSONScalar]) -> String {
        "{" + object.keys.sorted().map { "\(quoted($0)):\(object[$0]!.csvText.map(quoted) ?? "null")" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
