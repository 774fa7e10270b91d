import ExportLayout

/// Counts the rows of CSV text as it streams by, tracking only quote state: a quoted field may hold commas, doubled
/// quotes, CR and LF (docs/EXPORTS.md). LF, CRLF and a lone CR end a row outside quotes; blank lines are not rows.
struct CSVRecordCounter: Sendable {
    /// Complete rows seen so far, the header row included.
    private(set) var rows = 0
    private var inQuotes = false
    private var rowHasBytes = false
    private var lastWasCR = false

    mutating func consume(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            if byte == 0x22 {
                inQuotes.toggle()
                rowHasBytes = true
                lastWasCR = false
                continue
            }
            if inQuotes {
                rowHasBytes = true
                continue
            }
            switch byte {
            case 0x0a:
                if !lastWasCR { endRow() }
                lastWasCR = false
            case 0x0d:
                endRow()
                lastWasCR = true
            default:
                rowHasBytes = true
                lastWasCR = false
            }
        }
    }

    private mutating func endRow() {
        if rowHasBytes { rows += 1 }
        rowHasBytes = false
    }

    /// Rows in all, counting a last row without a line end; whether the text ended inside a quoted field (cut short).
    func finished() -> (rows: Int, isInsideQuotes: Bool) {
        (rows + (rowHasBytes ? 1 : 0), inQuotes)
    }

    /// Records (rows after the header) in all.
    var records: Int { max(finished().rows - 1, 0) }
}

/// The header row of a CSV file: its column names.
enum CSVHeader {
    /// The bytes of the first row, without its line end, and the index just past the line end; nil if the text holds
    /// no complete first row yet.
    static func firstRow(in bytes: [UInt8]) -> (row: ArraySlice<UInt8>, end: Int)? {
        var inQuotes = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x22 {
                inQuotes.toggle()
            } else if !inQuotes && (byte == 0x0a || byte == 0x0d) {
                var end = index + 1
                if byte == 0x0d && end < bytes.endIndex && bytes[end] == 0x0a { end += 1 }
                return (bytes[bytes.startIndex..<index], end)
            }
            index += 1
        }
        return nil
    }

    /// The fields of a header row, read by the export layout's own CSV reader (quotes, doubled quotes, a BOM).
    static func fields(of row: [UInt8], file: String) throws -> [String] {
        try CSVReader(source: InMemoryCSV(row), displayName: file, encoding: .utf8).header
    }
}

/// CSV bytes already in memory, as a source for `CSVReader`.
final class InMemoryCSV: CSVByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        _ = buffer.initialize(from: bytes[offset..<(offset + count)])
        offset += count
        return count
    }
}
