import ExportLayout
import Foundation
import Replica
import VaultCore

/// `crmvault-bench --replica`: the replica build of one generated month next to `sqlite3`'s own `.import --csv` of the
/// same files into a file database (both with journal and sync off), and the diff of two months: time and peak RSS.
/// Each side runs as a child process, so its peak RSS is its own.
enum ReplicaBenchmark {
    static func run(corpus: (directories: [String], sizes: [Int]), work: String) throws {
        let month = corpus.directories[corpus.directories.count - 1]
        let bytes = corpus.sizes[corpus.sizes.count - 1]
        let rows = try countRecords(in: month)
        print("\nreplica of one month: \(megabytes(bytes)) MB of CSV, \(rows) records")
        let self_ = CommandLine.arguments[0]

        let ours = work + "/replica.sqlite"
        let build = try ChildProcess.check([self_, "--build-replica", month, ours])
        print(
            "  crmvault replica build: \(String(format: "%.2f", build.seconds)) s, \(Int(Double(rows) / build.seconds)) rows/s, "
                + "\(rate(bytes, build.seconds)) MB/s, peak RSS \(megabytes(build.peakMemoryBytes)) MB (typing, keys, indexes, every check)"
        )
        print("    " + build.output.split(separator: "\n").joined(separator: "\n    "))
        let baseline = work + "/sqlite3-import.sqlite"
        let imports = try FileManager.default.contentsOfDirectory(atPath: month).filter { $0.hasSuffix(".csv") }
            .sorted()
            .flatMap { ["-cmd", ".import --csv '\(month)/\($0)' '\($0.dropLast(4))'"] }
        let sqlite = try ChildProcess.check(
            ["sqlite3"] + ["-cmd", "PRAGMA journal_mode = OFF", "-cmd", "PRAGMA synchronous = OFF"] + imports + [
                baseline, ".quit",
            ])
        print(
            "  sqlite3 .import --csv:  \(String(format: "%.2f", sqlite.seconds)) s, \(Int(Double(rows) / sqlite.seconds)) rows/s, "
                + "\(rate(bytes, sqlite.seconds)) MB/s, peak RSS \(megabytes(sqlite.peakMemoryBytes)) MB (all TEXT, no keys, no checks)"
        )
        print("  database size: crmvault \(megabytes(fileSize(ours))) MB, sqlite3 \(megabytes(fileSize(baseline))) MB")

        if corpus.directories.count >= 2 {
            let older = corpus.directories[corpus.directories.count - 2]
            let diff = try ChildProcess.check([self_, "--diff-exports", older, month, work])
            print(
                "  diff of the last two months (\(megabytes(corpus.sizes[corpus.sizes.count - 2] + bytes)) MB): "
                    + "\(String(format: "%.2f", diff.seconds)) s, \(rate(corpus.sizes[corpus.sizes.count - 2] + bytes, diff.seconds)) MB/s, "
                    + "peak RSS \(megabytes(diff.peakMemoryBytes)) MB")
            print("    " + diff.output.split(separator: "\n").joined(separator: "\n    "))
        }
    }

    /// The child side of `--build-replica EXPORT DB [--threads WRITERS]`: builds and prints the step timings.
    static func build(export: String, database: String, writers: Int = 1) throws {
        try? FileManager.default.removeItem(atPath: database)
        var options = ReplicaOptions()
        options.crmvaultVersion = "bench"
        options.writers = writers
        let report = try ReplicaBuilder.build(
            exportAt: URL(fileURLWithPath: export), into: URL(fileURLWithPath: database), options: options)
        let durations = report.durations
        print(
            String(
                format: "first look %.2f s, load %.2f s, indexes %.2f s, checks %.2f s; %d checks, %@", durations.scan,
                durations.load, durations.index, durations.check, report.checks.count,
                report.isPassed ? "all passed" : "FAILED: \(report.failures)"))
        for warning in report.warnings { print("  warning: \(TerminalText.escaped(warning))") }
    }

    /// The child side of `--diff-exports A B WORK`.
    static func diff(_ a: String, _ b: String, work: String) throws {
        let report = try ExportDiff.compare(
            URL(fileURLWithPath: a), URL(fileURLWithPath: b), options: .init(workDirectory: URL(fileURLWithPath: work)))
        for object in report.objects {
            print(
                "\(object.name): \(object.added) added, \(object.deleted) deleted, \(object.modified) modified of \(object.recordsA)"
            )
        }
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    private static func countRecords(in directory: String) throws -> Int {
        var count = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".csv") {
            let reader = try CSVReader(path: directory + "/" + file, encoding: .utf8)
            while try reader.next() { count += 1 }
        }
        return count
    }
}
