/// What a replica build did and found: per object, the counts and digest; every check with its result; every record
/// left out. `replica` and `drill` print it (`--json` as is).
public struct ReplicaReport: Sendable, Codable {
    /// `ok` when every check passed, else `failed`: the one field a script needs.
    public var status = "ok"
    /// Where the database was written; nil when it was not kept.
    public var database: String?
    public var snapshot: String?
    public var objects: [ObjectReport] = []
    /// Non-CSV files listed in `crmvault_files`, and their bytes.
    public var files = 0
    public var fileBytes: Int64 = 0
    public var checks: [ReplicaCheck] = []
    /// Records not in the replica (`--lenient`), with file, line and why.
    public var leftOut: [RowProblem] = []
    public var warnings: [String] = []
    /// Bytes of CSV read per pass.
    public var csvBytes = 0
    public var durations = Durations()

    public var isPassed: Bool { !checks.contains { $0.status == .fail } }

    public init() {}

    /// Seconds spent per step.
    public struct Durations: Sendable, Codable {
        /// The first look at each file that plans the tables (named `scan` since the build read every file twice).
        public var scan = 0.0
        public var load = 0.0
        public var index = 0.0
        public var check = 0.0
        public var total = 0.0
    }

    /// The failed checks, as sentences naming the object and column.
    public var failures: [String] { checks.filter { $0.status == .fail }.map(\.sentence) }
}

/// One object's table.
public struct ObjectReport: Sendable, Codable {
    public var name: String
    public var table: String
    public var file: String
    public var encoding: String
    /// Rows in the table.
    public var rows: Int
    /// Records read from the CSV after the header, malformed ones included.
    public var recordsParsed: Int
    /// The count the vendor reported, when the pull recorded one.
    public var vendorRecords: Int?
    public var leftOut: Int
    public var columns: Int
    /// Columns stored as INTEGER, REAL or BOOLEAN.
    public var typedColumns: Int
    public var foreignKeys: Int
    public var polymorphicReferences: Int
    /// The cell digest (docs/FORMAT.md §9.1) of the rows, as parsed from the CSV.
    public var digest: String
}

/// One check of a replica.
public struct ReplicaCheck: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pass, fail, warn
    }

    /// `rows vs vendor`, `rows vs CSV`, `cells`, `orphans`, `integrity_check`, `foreign_key_check`, `export`.
    public var check: String
    public var object: String?
    public var column: String?
    public var status: Status
    public var detail: String

    public init(check: String, object: String? = nil, column: String? = nil, status: Status, detail: String) {
        self.check = check
        self.object = object
        self.column = column
        self.status = status
        self.detail = detail
    }

    /// `Account.Phone: cells: …`, naming what was checked.
    public var sentence: String {
        let subject = [object, column].compactMap { $0 }.joined(separator: ".")
        return (subject.isEmpty ? "" : subject + ": ") + check + ": " + detail
    }
}
