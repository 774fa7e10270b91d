/// What a JSON value of the format must look like: the keys an object may and must have, and each value's kind and
/// range (docs/FORMAT.md §2, and the table of each document). A version 1 reader knows every key of version 1, so an
/// unknown key is a violation, as is a missing one or a value of the wrong kind.
indirect enum JSONShape: Sendable {
    /// An object member: its shape, and whether it must be present.
    struct Member: Sendable {
        var shape: JSONShape
        var isRequired: Bool
    }

    case integer(ClosedRange<Int64>)
    case string
    /// One of these strings.
    case oneOf([String])
    /// Lowercase hex of exactly this many bytes.
    case hex(bytes: Int)
    /// Lowercase hex of any whole number of bytes (possibly none).
    case hexBytes
    /// A time: RFC 3339 UTC with whole seconds (`Timestamp.isCanonical`).
    case time
    case array(JSONShape)
    case object([String: Member])
    /// The document's `version`: a number other than 1 is reported under §13, not as a wrong value.
    case version

    /// An object whose members are given as (key, shape, required).
    static func object(_ members: [(String, JSONShape, Bool)]) -> JSONShape {
        .object(Dictionary(uniqueKeysWithValues: members.map { ($0.0, Member(shape: $0.1, isRequired: $0.2)) }))
    }

    /// Checks `value` against this shape; `section` is the section whose table states it, `path` names the value.
    func check(_ value: JSONValue, section: String, path: String = "") throws(FormatViolation) {
        func wrong(_ what: String) -> FormatViolation {
            FormatViolation(section, (path.isEmpty ? "the document" : "`\(path)`") + " " + what)
        }
        switch (self, value) {
        case (.version, .integer(let number)):
            guard number == 1 else {
                throw FormatViolation(
                    "§13", "`\(path)` is \(number): this reader knows version 1 only, and refuses other versions")
            }
        case (.integer(let range), .integer(let number)):
            guard range.contains(number) else {
                throw wrong("is \(number), outside \(range.lowerBound)…\(range.upperBound)")
            }
        case (.string, .string):
            break
        case (.oneOf(let choices), .string(let text)):
            guard choices.contains(text) else {
                throw wrong("is \"\(text)\", not one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
            }
        case (.hex(let count), .string(let text)):
            guard text.utf8.count == count * 2, Hex.decode(text) != nil else {
                throw FormatViolation("§2", "`\(path)` is not \(count * 2) lowercase hex digits")
            }
        case (.hexBytes, .string(let text)):
            guard Hex.decode(text) != nil else {
                throw FormatViolation("§2", "`\(path)` is not lowercase hex of whole bytes")
            }
        case (.time, .string(let text)):
            guard Timestamp.isCanonical(text) else {
                throw FormatViolation("§2", "`\(path)` is \"\(text)\", not a time in RFC 3339 UTC with whole seconds")
            }
        case (.array(let element), .array(let values)):
            for (index, element_) in values.enumerated() {
                try element.check(element_, section: section, path: "\(path)[\(index)]")
            }
        case (.object(let members), .object(let values)):
            for key in values.keys.sorted() where members[key] == nil {
                throw wrong("has the key \"\(key)\", which a version 1 reader does not know (§13)")
            }
            for key in members.keys.sorted() {
                let member = members[key]!
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let child = values[key] else {
                    if member.isRequired { throw wrong("lacks the key \"\(key)\"") }
                    continue
                }
                try member.shape.check(child, section: section, path: childPath)
            }
        default:
            throw wrong("is \(value.kindName), where \(kindName) belongs")
        }
    }

    private var kindName: String {
        switch self {
        case .integer, .version: "an integer"
        case .string, .oneOf, .hex, .hexBytes, .time: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .bool: "a boolean"
        case .integer: "an integer"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var integerValue: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}
