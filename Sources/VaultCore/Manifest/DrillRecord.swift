/// The signed result of a restore drill (docs/FORMAT.md §9.1): the body of a `drill` chain entry, signed by the
/// owner, whose key the drill needed to decrypt the snapshot. Integers only, as canonical JSON requires.
public struct DrillRecord: Codable, Sendable, Equatable {
    /// One object of the drilled export.
    public struct Object: Codable, Sendable, Equatable {
        /// The object's name (its CSV file without `.csv`).
        public var name: String
        /// Rows in the replica's table.
        public var rows: Int
        /// Records parsed from the restored CSV.
        public var records: Int
        /// The count the vendor reported, when the pull recorded one.
        public var vendorRecords: Int?
        /// The keyed cell digest: 64 lowercase hex digits (§9.1).
        public var digest: String

        public init(name: String, rows: Int, records: Int, vendorRecords: Int?, digest: String) {
            self.name = name
            self.rows = rows
            self.records = records
            self.vendorRecords = vendorRecords
            self.digest = digest
        }
    }

    /// Milliseconds per step.
    public struct Durations: Codable, Sendable, Equatable {
        public var restore: Int
        public var build: Int
        public var checks: Int
        public var total: Int

        public init(restore: Int, build: Int, checks: Int, total: Int) {
            self.restore = restore
            self.build = build
            self.checks = checks
            self.total = total
        }
    }

    /// The most failure sentences kept in a record, and their most characters each.
    public static let maximumFailures = 20
    public static let maximumFailureLength = 300

    /// `pass` or `fail`.
    public var result: String
    public var objects: [Object]
    /// Non-CSV files restored into the replica.
    public var files: Int
    /// Checks run, and how many only warned (orphaned references).
    public var checks: Int
    public var warnings: Int
    /// The failed checks, naming object and column (at most ``maximumFailures``).
    public var failures: [String]
    public var milliseconds: Durations
    public var crmvaultVersion: String

    public init(
        result: String, objects: [Object], files: Int, checks: Int, warnings: Int, failures: [String],
        milliseconds: Durations, crmvaultVersion: String
    ) {
        self.result = result
        self.objects = objects
        self.files = files
        self.checks = checks
        self.warnings = warnings
        // Characters are Unicode scalars (FORMAT.md §2), which any reader counts the same way.
        self.failures = failures.prefix(Self.maximumFailures).map {
            String(String.UnicodeScalarView($0.unicodeScalars.prefix(Self.maximumFailureLength)))
        }
        self.milliseconds = milliseconds
        self.crmvaultVersion = crmvaultVersion
    }

    public var isPassed: Bool { result == "pass" }
}
