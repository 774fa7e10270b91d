import ExportLayout

/// A record of an export that the replica leaves out (or, without `--lenient`, refuses), with where and why.
public struct RowProblem: Sendable, Codable, Equatable {
    /// The CSV file, relative to the export.
    public var file: String
    /// The physical line where the record starts.
    public var line: Int
    public var problem: String

    public init(file: String, line: Int, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }
}

/// The first pass over one object's CSV: its header, the records that parse, and what each column's values allow
/// (the replica's column types and references are chosen from it before any row is written). The cell digest is
/// computed in the second pass, from the records as they are inserted.
struct ObjectScan: Sendable {
    let header: [String]
    let encoding: CSVEncoding
    /// The column that holds the record id (the primary key), when the object has one.
    let idColumn: Int?
    private(set) var columns: [ColumnInference]
    /// Records read after the header, malformed ones included.
    private(set) var recordsParsed = 0
    /// Records that do not parse, or have no id; the load pass leaves out the same ones.
    private(set) var malformed: [RowProblem] = []
    /// Whether reading stopped before the end of the file (an unterminated quote, invalid encoding, a limit).
    private(set) var isTruncated = false
    private(set) var bytes = 0

    /// Reads `object`'s CSV once. The id column is the manifest's `primaryKey`, else a column named `Id` (any case,
    /// when exactly one). Without an `encoding`, the file is read as UTF-8 and, when a byte is not valid UTF-8, read
    /// again as Windows-1252 (``CSVEncoding/detect(fileAt:displayName:)``'s rule, without its extra read).
    init(_ object: ExportDirectory.ObjectFile, encoding: CSVEncoding?) throws {
        guard encoding == nil else {
            try self.init(object, reading: encoding!, detecting: false)
            return
        }
        do {
            try self.init(object, reading: .utf8, detecting: true)
        } catch let error as CSVError where error.kind == .invalidEncoding(.utf8) {
            try self.init(object, reading: .windows1252, detecting: false)
        }
    }

    private init(_ object: ExportDirectory.ObjectFile, reading encoding: CSVEncoding, detecting: Bool) throws {
        let reader = try CSVReader(path: object.url.path, displayName: object.file, encoding: encoding)
        header = reader.header
        self.encoding = reader.encoding
        idColumn = Self.idColumn(in: reader.header, primaryKey: object.metadata?.primaryKey)
        columns = Array(repeating: ColumnInference(), count: reader.header.count)
        while true {
            do {
                guard try reader.next() else { break }
            } catch let error as CSVError {
                if detecting && error.kind == .invalidEncoding(.utf8) { throw error }
                malformed.append(RowProblem(file: object.file, line: error.line, problem: error.problem))
                if error.isRecoverable { continue }
                isTruncated = true
                break
            }
            let line = reader.line
            reader.withFields { fields in
                if let idColumn, Self.isNull(fields[idColumn]) {
                    malformed.append(
                        RowProblem(file: object.file, line: line, problem: "the record has no \(header[idColumn])"))
                    return
                }
                for index in 0..<fields.count {
                    let value = fields[index]
                    if Self.isNull(value) { continue }
                    columns[index].add(value, line: line)
                }
            }
        }
        recordsParsed = reader.recordsRead
        bytes = reader.bytesRead
    }

    /// The hash of a cell as the cell digest takes it (0 for NULL).
    static func cellHash(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        isNull(value) ? 0 : XXH64.hash(value, seed: 0)
    }

    /// An empty field, or Salesforce's empty-id placeholder: NULL in the replica.
    static func isNull(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.isEmpty || KeyPrefixes.isEmptyID(value)
    }

    static func idColumn(in header: [String], primaryKey: String?) -> Int? {
        if let primaryKey, let index = header.firstIndex(of: primaryKey) { return index }
        if let index = header.firstIndex(of: "Id") { return index }
        let candidates = header.indices.filter { header[$0].lowercased() == "id" }
        return candidates.count == 1 ? candidates[0] : nil
    }
}
