/// Makes a value that came from an export, a vault file, a vendor or a key holder safe to print on a terminal.
///
/// CRM data is attacker-controlled by nature: a file name, label, source, record value or log field may hold
/// escape sequences that rewrite what a terminal shows (erase a PROBLEMS line, forge a row). Every human-readable
/// output passes such values through `escaped`; `--json` output stays exact (JSON escapes control characters itself).
public enum TerminalText {
    /// `value` with every control, format and separator character written as a visible escape: `\n`, `\r`, `\t`,
    /// `\e` for ESC, `\x7f` / `\u{9b}` style otherwise; bidi overrides and zero-width characters included.
    /// A backslash is doubled, so the escaped text is unambiguous.
    public static func escaped(_ value: some StringProtocol) -> String {
        var needsWork = false
        for scalar in value.unicodeScalars where scalar == "\\" || isUnsafe(scalar) {
            needsWork = true
            break
        }
        guard needsWork else { return String(value) }
        var result = ""
        result.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{1b}": result += "\\e"
            default:
                if isUnsafe(scalar) {
                    result += scalar.value < 0x100
                        ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Bytes that should be UTF-8 (a file name from the disk) made printable: valid characters as ``escaped(_:)``
    /// writes them, every byte that is not part of valid UTF-8 as `\xNN`.
    public static func escaped(bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var result = ""
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = switch lead {
            case 0x00..<0x80: 1
            case 0xc2..<0xe0: 2
            case 0xe0..<0xf0: 3
            case 0xf0..<0xf5: 4
            default: 0
            }
            if length > 0, index + length <= bytes.count,
                let character = String(validating: bytes[index..<(index + length)], as: UTF8.self)
            {
                result += escaped(character)
                index += length
            } else {
                result += "\\x" + hex(UInt32(lead), width: 2)
                index += 1
            }
        }
        return result
    }

    /// True when `value` holds no character ``escaped(_:)`` would have to escape.
    public static func isPrintable(_ value: some StringProtocol) -> Bool { !value.unicodeScalars.contains(where: isUnsafe) }

    /// Refuses a name a user gives to be stored in the vault and shown to others (a label, a source, a writer's name)
    /// unless it is printable and at most `maximumLength` characters: what a key holder writes, every reader sees.
    static func requirePrintable(_ value: String, naming what: String, maximumLength: Int, example: String) throws {
        guard value.unicodeScalars.count <= maximumLength, isPrintable(value) else {  // characters = scalars (FORMAT.md §2)
            throw VaultError(.usage,
                "The \(what) \"\(value)\" is refused: it must be printable text of at most \(maximumLength) characters, without "
                    + "control, formatting or invisible characters (it is stored in the vault and shown to everyone who lists it).",
                remedy: "Choose a plain \(what), e.g. \(example).")
        }
    }

    /// Whether printing `scalar` raw could change what a terminal shows beyond one visible character.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return true }
        if scalar.value < 0x7f { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
