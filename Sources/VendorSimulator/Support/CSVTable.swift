import Foundation

/// One object's records as parsed from the generator's CSV: the header and each row's field values (an empty
/// value is a null), so that any selection of columns can be rendered again in the vendor's CSV style.
struct CSVTable: Sendable {
    /// The column names, in file order.
    let header: [String]
    /// The rows, each with one value per column.
    let rows: [[String]]

    /// Parses RFC 4180 CSV (quoted or bare fields, doubled quotes, line breaks inside quotes, LF or CRLF rows).
    static func parse(_ data: Data, name: String) throws -> CSVTable {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldStarted = false
        let bytes = [UInt8](data)
        var index = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case 0x22 where !fieldStarted:
                    inQuotes = true
                    fieldStarted = true
                case 0x2C:
                    endField()
                case 0x0A:
                    endField()
                    records.append(record)
                    record.removeAll(keepingCapacity: true)
                case 0x0D where index + 1 < bytes.count && bytes[index + 1] == 0x0A:
                    break
                default:
                    field.append(byte)
                    fieldStarted = true
                }
            }
            index += 1
        }
        guard !inQuotes else { throw SimulatorSetupError("\(name): a quoted field is not closed.") }
        if fieldStarted || !record.isEmpty {
            endField()
            records.append(record)
        }
        guard let header = records.first else { throw SimulatorSetupError("\(name) has no header row.") }
        let rows = Array(records.dropFirst())
        if let bad = rows.firstIndex(where: { $0.count != header.count }) {
            throw SimulatorSetupError(
                "\(name) row \(bad + 1) has \(rows[bad].count) fields, the header \(header.count).")
        }
        return CSVTable(header: header, rows: rows)
    }

    /// The index of a column, compared case-insensitively as Salesforce compares field names.
    func column(named name: String) -> Int? {
        header.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Renders the header and `rows[range]` of the chosen columns in Bulk API 2.0 style: every field in double
    /// quotes, quotes doubled, a null as `""`, rows ending in LF.
    func render(columns: [Int], names: [String], rows range: Range<Int>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 * columns.count * (range.count + 1))
        CSVTable.appendRow(names, to: &bytes)
        for row in rows[range] {
            CSVTable.appendRow(columns.map { row[$0] }, to: &bytes)
        }
        return bytes
    }

    /// Appends one row, every field quoted.
    static func appendRow(_ fields: [String], to bytes: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            bytes.append(0x22)
            for byte in field.utf8 {
                bytes.append(byte)
                if byte == 0x22 { bytes.append(0x22) }
            }
            bytes.append(0x22)
        }
        bytes.append(0x0A)
    }
}

/// A generated org that cannot be served (a bug in the generator or the simulator, not a client error).
struct SimulatorSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
