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

/// What one object's CSV holds, gathered record by record: its header, the records that parse, and what each column's
/// values allow. A first look (``firstLook(_:encoding:bytes:)``, the first MiB by default) plans the tables before any
/// row is written; the load gathers the whole file's while it inserts (``RecordPipeline``), and the final schema is
/// chosen from that.
struct ObjectScan: Sendable {
    let file: String
    let header: [String]
    let encoding: CSVEncoding
    /// The column that holds the record id (the primary key), when the object has one.
    let idColumn: Int?
    private(set) var columns: [ColumnInference]
    /// Records read after the header, malformed ones included.
    var recordsParsed = 0
    /// Records that do not parse, or have no id; the load leaves them out.
    private(set) var malformed: [RowProblem] = []
    /// Whether reading stopped before the end of the file (an unterminated quote, invalid encoding, a limit).
    private(set) var isTruncated = false
    var bytes = 0

    /// An empty scan of a file whose header `reader` has read. The id column is ``idColumn(in:primaryKey:object:)``'s.
    init(_ object: ExportDirectory.ObjectFile, reader: CSVReader) {
        file = object.file
        header = reader.header
        encoding = reader.encoding
        idColumn = Self.idColumn(in: reader.header, primaryKey: object.metadata?.primaryKey, object: object.name)
        columns = Array(repeating: ColumnInference(), count: reader.header.count)
    }

    /// Reads the first `bytes` of `object`'s CSV (records whose fields hold about that many bytes). Without
    /// an `encoding`, the file is read as UTF-8 and, when a byte is not valid UTF-8, read again as Windows-1252
    /// (``CSVEncoding/detect(fileAt:displayName:)``'s rule, without its extra read); a byte found later makes the load
    /// start the object again in Windows-1252.
    static func firstLook(
        _ object: ExportDirectory.ObjectFile, encoding: CSVEncoding?, bytes: Int
    ) throws -> ObjectScan {
        guard encoding == nil else { return try read(object, encoding: encoding!, detecting: false, bytes: bytes) }
        do {
            return try read(object, encoding: .utf8, detecting: true, bytes: bytes)
        } catch let error as CSVError where error.kind == .invalidEncoding(.utf8) {
            return try read(object, encoding: .windows1252, detecting: false, bytes: bytes)
        }
    }

    private static func read(
        _ object: ExportDirectory.ObjectFile, encoding: CSVEncoding, detecting: Bool, bytes limit: Int
    ) throws -> ObjectScan {
        let reader = try CSVReader(path: object.url.path, displayName: object.file, encoding: encoding)
        var scan = ObjectScan(object, reader: reader)
        // The reader reads the file in blocks of a MiB: what counts is the bytes of the records parsed.
        var parsed = 0
        while parsed < limit, try scan.advance(reader, detecting: detecting) {
            reader.withFields { fields in
                parsed += fields.allBytes.count + fields.count
                _ = scan.take(fields, line: reader.line)
            }
        }
        scan.finish(reader)
        return scan
    }

    /// Takes one record's values; false (and the record listed as malformed) when it has no id.
    mutating func take(_ fields: CSVFields, line: Int) -> Bool {
        if let idColumn, Self.isNull(fields[idColumn]) {
            malformed.append(RowProblem(file: file, line: line, problem: "the record has no \(header[idColumn])"))
            return false
        }
        for index in 0..<fields.count {
            let value = fields[index]
            if Self.isNull(value) { continue }
            columns[index].add(value, line: line)
        }
        return true
    }

    /// Lists a record the reader refused; false when reading cannot go on.
    mutating func take(_ error: CSVError) -> Bool {
        malformed.append(RowProblem(file: file, line: error.line, problem: error.problem))
        if error.isRecoverable { return true }
        isTruncated = true
        return false
    }

    /// Moves `reader` to its next well-formed record, listing each refused one it passes; false at the end of the file
    /// or when reading cannot go on. An invalid UTF-8 byte is rethrown while the encoding is still being detected.
    mutating func advance(_ reader: CSVReader, detecting: Bool) throws -> Bool {
        while true {
            do {
                return try reader.next()
            } catch let error as CSVError {
                if detecting && error.kind == .invalidEncoding(.utf8) { throw error }
                guard take(error) else { return false }
            }
        }
    }

    /// Records what `reader` read, once it stopped.
    mutating func finish(_ reader: CSVReader) {
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

    /// A warning when the header is one column whose name holds a delimiter Bulk API 2.0 can be asked for
    /// (`columnDelimiter` TAB, SEMICOLON, PIPE, CARET, BACKQUOTE): such a file loads as one column of whole lines.
    static func otherDelimiterWarning(header: [String], file: String) -> String? {
        guard header.count == 1,
            let name = CSVReader.otherDelimiters.sorted(by: { $0.key < $1.key })
                .first(where: { header[0].utf8.contains($0.key) })?.value
        else { return nil }
        return "\(file): its header is one column whose name holds a \(name): a file delimited by \(name)s was loaded "
            + "as one column of whole lines; crmvault reads comma-separated files (re-export it with commas, in "
            + "Bulk API 2.0 columnDelimiter=COMMA)"
    }

    /// The id column: the manifest's `primaryKey`, else a column named `Id`, else the only one named `id` in any case
    /// (an older Salesforce export's `ID`), else the only one named `<object>id` in any case (Dataverse's primary key,
    /// `contactid` in `contact.csv`, when the export has no manifest), else the only `(Do Not Modify) <table>` column
    /// of a Dynamics 365 "Export to Excel" file saved as CSV (the record's GUID; not its `Row Checksum` or
    /// `Modified On`).
    static func idColumn(in header: [String], primaryKey: String?, object: String) -> Int? {
        if let primaryKey, let index = header.firstIndex(of: primaryKey) { return index }
        if let index = header.firstIndex(of: "Id") { return index }
        for name in ["id", object.lowercased() + "id"] {
            let candidates = header.indices.filter { header[$0].lowercased() == name }
            if candidates.count == 1 { return candidates[0] }
        }
        let notIDs = ["(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On"]
        let guids = header.indices.filter { header[$0].hasPrefix("(Do Not Modify) ") && !notIDs.contains(header[$0]) }
        return guids.count == 1 ? guids[0] : nil
    }
}
