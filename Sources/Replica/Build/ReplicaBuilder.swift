import ExportLayout
import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// How to build a replica.
public struct ReplicaOptions: Sendable {
    /// The CSV files' encoding; nil detects it per file.
    public var encoding: CSVEncoding?
    /// Build from the well-formed records and list the others, instead of refusing the export.
    public var isLenient = false
    /// Replace an existing database file at the target.
    public var replacesExisting = false
    /// Written into `crmvault_restore`.
    public var crmvaultVersion = "unknown"
    /// The snapshot the export was restored from, for `crmvault_restore`.
    public var origin: ReplicaOrigin?
    /// How much of each CSV the first look reads to plan the tables (column types, references) before any row is
    /// written; what the rest of a file contradicts is corrected while and after it is loaded (tests make it small).
    public var firstLookBytes = 1 << 20
    /// How many connections write the tables, each its own file (1 or 2): with 2, the tables are split by size and
    /// those of the second writer copied into the database once both are done (see ``ReplicaLoad``). One by default:
    /// on the 2 cores it was measured on, a second writer took as long (0.99× the wall time, 0.98× the CPU, 25 MB
    /// more peak RSS) because one writer, its parser and the checks already keep both cores busy (BENCHMARKS.md).
    public var writers = 1
    /// Called with the built database file before its checks run (tests damage it here).
    public var beforeChecks: (@Sendable (URL) throws -> Void)?
    /// Called with the built database file once the checks that ran while it was loaded are done, before those of the
    /// whole file (tests damage a table here that was already checked).
    public var afterTableChecks: (@Sendable (URL) throws -> Void)?

    public init() {}
}

/// Where a replica's export came from: the snapshot and its chain entry.
public struct ReplicaOrigin: Sendable, Codable {
    public var snapshot: String
    /// `hex(SHA-256)` of the snapshot's chain entry body.
    public var chainEntry: String
    public var source: String
    public var label: String
    public var time: String

    public init(snapshot: String, chainEntry: String, source: String, label: String, time: String) {
        self.snapshot = snapshot
        self.chainEntry = chainEntry
        self.source = source
        self.label = label
        self.time = time
    }
}

/// Builds the SQLite replica of an export on disk: a first look at the start of every CSV plans the tables (types and
/// references), each file is then read once and loaded, one transaction per table, its indexes after the data (a
/// column or reference the rest of the file contradicts is corrected), the checks, then the file is synced and renamed
/// into place. Nothing is left at the target unless the build completed.
public enum ReplicaBuilder {
    /// Builds the replica of the export at `root` into the database file `target`.
    ///
    /// Malformed records (ragged rows, broken quoting, missing or duplicate ids) make it throw `exportMalformed`
    /// naming file and line, unless `options.isLenient`; then they are left out and listed. A failed check leaves no
    /// database unless `options.isLenient`; the report says which object and column failed.
    public static func build(exportAt root: URL, into target: URL, options: ReplicaOptions) throws -> ReplicaReport {
        let started = Date()
        try checkTarget(target, replacing: options.replacesExisting)
        var report = ReplicaReport()
        report.snapshot = options.origin?.snapshot
        let export = try ExportDirectory(root: root)
        report.warnings += export.notes
        for problem in export.problems {
            report.checks.append(ReplicaCheck(check: "export", status: .fail, detail: problem))
        }

        // The first look: what the first MiB of each file allows, one file per core.
        var objects: [ExportDirectory.ObjectFile] = []
        var firstLooks: [ObjectScan] = []
        let results = ResultSlots<Result<ObjectScan, CSVError>>(count: export.objects.count)
        let encoding = options.encoding
        let firstLookBytes = options.firstLookBytes
        DispatchQueue.concurrentPerform(iterations: export.objects.count) { [export] index in
            do {
                results.set(
                    index,
                    .success(
                        try ObjectScan.firstLook(
                            export.objects[index], encoding: encoding, bytes: firstLookBytes)))
            } catch {
                // CSVReader throws only CSVError.
                let failure =
                    error as? CSVError
                    ?? CSVError(file: export.objects[index].file, line: 0, kind: .unreadable("\(error)"))
                results.set(index, .failure(failure))
            }
        }
        for (index, object) in export.objects.enumerated() {
            switch results[index] {
            case .success(let scan):
                objects.append(object)
                firstLooks.append(scan)
            case .failure(let error):
                report.leftOut.append(RowProblem(file: object.file, line: error.line, problem: error.problem))
                report.checks.append(
                    ReplicaCheck(
                        check: "export", object: object.name, status: .fail,
                        detail: "\(object.file) cannot be read: \(error.problem); the object has no table"))
            }
        }
        try refuseMalformed(report.leftOut, isLenient: options.isLenient)
        let tables = ReplicaSchemaPlanner.plan(objects, scans: firstLooks)
        report.durations.scan = Date().timeIntervalSince(started)

        // The load and the checks, into a temporary file beside the target. Its companions are removed too: the aside
        // file of the second writer, journals, and the WAL files a build interrupted under an earlier version (which
        // wrote in WAL mode) may have left.
        let temporary = target.deletingLastPathComponent().appendingPathComponent(
            ".\(target.lastPathComponent).crmvault-partial")
        let aside = ReplicaLoad.asideFile(of: temporary).path
        let companions = ["", "-journal", "-wal", "-shm"].map { temporary.path + $0 }
        let asides = ["", "-journal"].map { aside + $0 }
        for path in companions + asides { unlink(path) }
        var isKept = false
        defer { for path in (isKept ? [] : companions) + asides { unlink(path) } }
        do {
            let outcome = try ReplicaLoad.run(
                export, objects: objects, firstLooks: firstLooks, tables: tables, into: temporary, options: options,
                report: &report)
            report.checks += outcome.checks
        } catch let error as SQLiteError {
            throw error.isDiskFull
                ? VaultError(
                    .diskFull, "The disk holding \(target.path) is full; no replica was written.",
                    remedy:
                        "Free space (the replica needs about twice the export's size while it is built) and run it again."
                )
                : VaultError(.ioFailed, "\(error.description); no replica was written.")
        }
        report.status = report.isPassed ? "ok" : "failed"
        if report.isPassed || options.isLenient {
            try place(temporary, at: target)
            isKept = true
            report.database = target.path
        }
        report.durations.total = Date().timeIntervalSince(started)
        return report
    }

    /// Without `--lenient`, malformed records stop the build before anything is written.
    static func refuseMalformed(_ problems: [RowProblem], isLenient: Bool) throws {
        guard !problems.isEmpty, !isLenient else { return }
        // File names and the values quoted in problems come from the export: details, one problem per line, escaped
        // on the terminal.
        let shown = problems.prefix(20).map { "\($0.file), line \($0.line): \($0.problem)" }
        let more = problems.count > 20 ? ["… and \(problems.count - 20) more"] : []
        throw VaultError(
            .exportMalformed,
            "The export has \(problems.count) malformed record\(problems.count == 1 ? "" : "s"); no replica was written:",
            details: shown + more,
            remedy: "Pass --lenient to build from the well-formed records and list the others in crmvault_left_out.")
    }

    /// Refuses a target that exists (unless `replacing`) or is not a regular file, and a missing directory.
    public static func checkTarget(_ target: URL, replacing: Bool) throws {
        var status = stat()
        if lstat(target.path, &status) == 0 {
            if status.st_mode & S_IFMT != S_IFREG {
                throw VaultError(
                    .usage, "\(target.path) exists and is not a regular file; the replica was not built.",
                    remedy: "Give --db the path of a new database file.")
            }
            if !replacing {
                throw VaultError(
                    .targetNotEmpty, "\(target.path) already exists; the replica was not built.",
                    remedy: "Give --db a new file name, or pass --force to replace it once the new replica is complete."
                )
            }
        }
        var isDirectory: ObjCBool = false
        let parent = target.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VaultError(
                .usage, "The directory \(parent) for the replica does not exist.", remedy: "Create it first.")
        }
    }

    /// Syncs the finished file and renames it over the target, then syncs the directory.
    private static func place(_ temporary: URL, at target: URL) throws {
        let descriptor = open(temporary.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw VaultError(.ioFailed, "Cannot reopen \(temporary.path) to sync it.") }
        let synced = fsync(descriptor)
        close(descriptor)
        guard synced == 0 else {
            throw VaultError(
                errno == ENOSPC ? .diskFull : .ioFailed,
                "Cannot sync \(temporary.path): \(String(cString: strerror(errno))).")
        }
        guard rename(temporary.path, target.path) == 0 else {
            throw VaultError(
                .ioFailed,
                "Cannot rename the replica into place at \(target.path): \(String(cString: strerror(errno))).")
        }
        let directory = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
