extension Timestamp {
    /// True when `text` is a time exactly as the format writes it (docs/FORMAT.md §2): `YYYY-MM-DDTHH:MM:SSZ`, UTC,
    /// whole seconds, a real date and time. No fraction, no offset, no lowercase `t` or `z`, no leap second: the one
    /// spelling `Timestamp.format` produces for that instant.
    public static func isCanonical(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return false }
        for (index, byte) in bytes.enumerated() {
            let expected: UInt8? =
                switch index {
                case 4, 7: UInt8(ascii: "-")
                case 10: UInt8(ascii: "T")
                case 13, 16: UInt8(ascii: ":")
                case 19: UInt8(ascii: "Z")
                default: nil
                }
            if let expected {
                guard byte == expected else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return false }
            }
        }
        guard text.prefix(4) != "0000", let date = parse(text) else { return false }
        return format(date) == text
    }
}
