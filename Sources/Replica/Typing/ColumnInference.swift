import ExportLayout

/// What a column's values allow, gathered while scanning the CSV: which typed formats every value round-trips in,
/// and, for reference candidates, the Salesforce key prefixes of its values.
struct ColumnInference: Sendable {
    private(set) var values = 0
    private(set) var canBeInteger = true
    private(set) var canBeReal = true
    private(set) var canBeIntegral = true
    /// The decimals every value has (nil: not yet seen; -1: they differ or some value has none).
    private var decimals: Int?
    /// The boolean spelling seen first, and whether every value kept to it.
    private var booleanSpelling: (yes: String, no: String)?
    /// ``booleanSpelling`` as bytes.
    private var booleanBytes: (yes: [UInt8], no: [UInt8])?
    private var canBeBoolean = true
    /// Key prefixes of the values (three bytes each, as one number) when every value looks like a Salesforce id; nil
    /// once one does not. A handful at most, the last one seen first: no allocation per value.
    private var prefixCodes: [UInt32]? = []
    /// For each vendor type, the first value that keeps the column from being typed so, with its line.
    private var firstBreaking: [ExportFieldType: (value: String, line: Int)] = [:]

    /// The most distinct key prefixes a reference column is expected to have (a polymorphic `WhatId` has a handful).
    static let maximumPrefixes = 32

    private static let booleanSpellings: [(yes: String, no: String)] = [
        ("true", "false"), ("TRUE", "FALSE"), ("True", "False"), ("1", "0"),
    ]
    private static let booleanSpellingBytes = booleanSpellings.map { (yes: Array($0.yes.utf8), no: Array($0.no.utf8)) }

    /// Takes one non-null value.
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        values += 1
        let couldBeDouble = canBeReal || decimals != -1 || canBeIntegral
        let integer = canBeInteger || canBeIntegral ? ValueText.integer(bytes) : nil
        if integer == nil {
            if canBeInteger {
                canBeInteger = false
                noteBreaking(.integer, bytes, line: line)
            }
            canBeIntegral = false
        } else if let integer, integer.magnitude > 1 << 53 {
            canBeIntegral = false
        }
        if canBeReal || decimals != -1 {
            let value = ValueText.double(bytes)
            if canBeReal {
                canBeReal =
                    value.map { value in ValueText.withText(real: value, .shortest) { $0.elementsEqual(bytes) } }
                    ?? false
            }
            if decimals != -1 {
                let count = value == nil ? nil : ValueText.decimals(bytes)
                if let count, decimals == nil || decimals == count,
                    ValueText.withText(real: value!, .fixed(count), { $0.elementsEqual(bytes) })
                {
                    decimals = count
                } else {
                    decimals = -1
                }
            }
        }
        if couldBeDouble && !(canBeReal || decimals != -1 || canBeIntegral) { noteBreaking(.double, bytes, line: line) }
        if canBeBoolean {
            addBoolean(bytes)
            if !canBeBoolean { noteBreaking(.boolean, bytes, line: line) }
        }
        if prefixCodes != nil { addIDPrefix(bytes) }
    }

    /// Key prefixes of the values when every value looks like a Salesforce id; nil once one does not.
    var idPrefixes: Set<String>? {
        prefixCodes.map { codes in
            Set(
                codes.map { code in
                    String(decoding: [UInt8(code >> 16), UInt8(code >> 8 & 0xFF), UInt8(code & 0xFF)], as: UTF8.self)
                })
        }
    }

    /// Whether the column has values and every one looks like a Salesforce id.
    var hasIDPrefixes: Bool { prefixCodes?.isEmpty == false }

    private mutating func noteBreaking(_ type: ExportFieldType, _ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        firstBreaking[type] = (String(decoding: bytes.prefix(40), as: UTF8.self), line)
    }

    /// Why a column the metadata types as `type` stays text: the first value that does not round-trip, and its line.
    func breakingValue(for type: ExportFieldType) -> (value: String, line: Int)? { firstBreaking[type] }

    private mutating func addBoolean(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let spelling = booleanBytes {
            canBeBoolean = Self.equal(bytes, spelling.yes) || Self.equal(bytes, spelling.no)
            return
        }
        let spellings = Self.booleanSpellingBytes
        guard let index = spellings.firstIndex(where: { Self.equal(bytes, $0.yes) || Self.equal(bytes, $0.no) }) else {
            canBeBoolean = false
            return
        }
        booleanSpelling = Self.booleanSpellings[index]
        booleanBytes = Self.booleanSpellingBytes[index]
    }

    /// Whether `bytes` are `spelling`'s: bytes against bytes (comparing with a `String.UTF8View` took a generic,
    /// unspecialized path per value, about 1 % of a replica build's CPU).
    @inline(__always) private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ spelling: [UInt8]) -> Bool {
        bytes.count == spelling.count && spelling.withUnsafeBufferPointer { bytes.elementsEqual($0) }
    }

    /// A Salesforce id is 15 or 18 ASCII letters and digits; its first three are the object's key prefix.
    private mutating func addIDPrefix(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard KeyPrefixes.isID(bytes) else {
            prefixCodes = nil
            return
        }
        let code = UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
        if prefixCodes!.last == code { return }
        if let index = prefixCodes!.firstIndex(of: code) {
            prefixCodes!.swapAt(index, prefixCodes!.count - 1)
        } else if prefixCodes!.count < Self.maximumPrefixes {
            prefixCodes!.append(code)
        } else {
            prefixCodes = nil
        }
    }

    /// The format of a column of vendor type `type` (nil without metadata): the metadata's type when its values
    /// allow it; without metadata, the narrowest format every value round-trips in; text otherwise.
    func format(for type: ExportFieldType?) -> ColumnFormat {
        let fixed = decimals.flatMap { $0 >= 0 ? ColumnFormat.fixed(decimals: $0) : nil }
        let boolean = canBeBoolean ? booleanSpelling.map { ColumnFormat.boolean(true: $0.yes, false: $0.no) } : nil
        guard values > 0 else {
            switch type {
            case .integer: return .integer
            case .double: return .real
            case .boolean: return .boolean(true: "true", false: "false")
            default: return .text
            }
        }
        switch type {
        case .integer?:
            return canBeInteger ? .integer : .text
        case .double?:
            if canBeReal { return .real }
            if let fixed { return fixed }
            return canBeIntegral ? .integral : .text
        case .boolean?:
            return boolean ?? .text
        case nil:
            if canBeInteger { return .integer }
            if canBeReal { return .real }
            if let fixed { return fixed }
            if let boolean, booleanSpelling?.yes != "1" { return boolean }
            return .text
        default:
            return .text
        }
    }
}
