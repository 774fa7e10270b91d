/// A piece of display text with an ASCII spelling for places that need one, such as e-mail addresses and domains.
struct Word: Sendable {
    /// The UTF-8 display text, possibly with accents, CJK characters or punctuation.
    let text: [UInt8]

    /// A lowercase ASCII spelling (letters, digits and hyphens).
    let ascii: [UInt8]

    /// Parses `"Display|ascii"`; without a `|`, the ASCII spelling is the lowercased display text with
    /// non-alphanumeric characters dropped.
    init(_ definition: String) {
        let parts = definition.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        text = Array(parts[0].utf8)
        if parts.count > 1 {
            ascii = Array(parts[1].utf8)
        } else {
            ascii = parts[0].utf8.compactMap { byte -> UInt8? in
                switch byte {
                case 0x41...0x5A: byte + 0x20
                case 0x61...0x7A, 0x30...0x39: byte
                default: nil
                }
            }
        }
    }

    /// Parses a list of definitions.
    static func list(_ definitions: [String]) -> [Word] {
        definitions.map(Word.init)
    }

    /// Converts a list of strings to UTF-8 byte arrays.
    static func texts(_ strings: [String]) -> [[UInt8]] {
        strings.map { Array($0.utf8) }
    }
}
