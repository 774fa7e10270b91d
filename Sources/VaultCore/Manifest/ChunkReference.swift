/// How a chunk list names a file's chunks (docs/FORMAT.md §8): a **short** reference is the first 8 bytes of the
/// chunk's id (never 8 zero bytes); a **full** reference is 8 zero bytes and then the whole id. A short reference names
/// the one id of the snapshot's packs it begins, or, where it begins several, the id of the manifest's `resolve`.
enum ChunkReference: Equatable {
    /// The first 8 bytes of the id, read big-endian (`Digest.firstWord`); never 0.
    case short(UInt64)
    case full(Digest)

    /// Bytes of a short reference, and of the zero marker that opens a full one.
    static let shortLength = 8
    static let fullLength = 8 + 32

    /// The shortest and the longest chunk list of `count` references.
    static func listLengthRange(count: Int) -> (shortest: Int, longest: Int) {
        (count.multipliedReportingOverflow(by: shortLength).partialValue,
         count.multipliedReportingOverflow(by: fullLength).partialValue)
    }

    /// Whether a list of `length` bytes can hold exactly `count` references.
    static func isListLength(_ length: Int, count: Int) -> Bool {
        let (shortest, longest) = listLengthRange(count: count)
        return length >= shortest && length <= longest && (length - shortest) % 32 == 0
    }

    /// The 8 bytes a short reference to `id` would be, read big-endian (the id's first word).
    static func prefix(of id: Digest) -> UInt64 { id.firstWord }

    /// Whether `id` can be named short at all: its first 8 bytes are not all zero.
    static func canBeShort(_ id: Digest) -> Bool { id.firstWord != 0 }

    /// Appends the reference's bytes to `list`.
    func append(to list: inout [UInt8]) {
        switch self {
        case .short(let prefix):
            withUnsafeBytes(of: prefix.bigEndian) { list.append(contentsOf: $0) }
        case .full(let id):
            list.append(contentsOf: repeatElement(0, count: Self.shortLength))
            id.withUnsafeBytes { list.append(contentsOf: $0) }
        }
    }

    /// Decodes the references at the front of `bytes`; returns them and how many bytes they took. Bytes of a
    /// reference cut short (a full one whose id runs into the next list chunk) are left for the next call.
    static func decode(_ bytes: ArraySlice<UInt8>) -> (references: [ChunkReference], consumed: Int) {
        var references: [ChunkReference] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= shortLength {
            let word = UInt64(bigEndian: bytes[offset..<(offset + shortLength)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            if word != 0 {
                references.append(.short(word))
                offset += shortLength
            } else {
                guard bytes.endIndex - offset >= fullLength else { break }
                references.append(.full(Digest(bytes: bytes[(offset + shortLength)..<(offset + fullLength)])!))
                offset += fullLength
            }
        }
        return (references, offset - bytes.startIndex)
    }
}
