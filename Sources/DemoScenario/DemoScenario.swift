import Definitions
import Foundation
import Logging
import Pull
import Replica
import Schedule
import VaultCore
import VendorSimulator

/// The end-to-end demo behind `crmvault demo`: the whole monthly job, for real, against the simulated vendor.
///
/// It starts the simulated vendor in process (HTTPS on 127.0.0.1, its test CA written into the demo folder), creates a
/// vault and a put-only writer key, writes a real schedule definition, pulls three monthly exports over HTTPS through
/// the real ``Puller`` (labelled as if pulled on the 1st of each of the last three months), verifies the vault without
/// a key, shows that the writer key cannot read what it wrote, restores the latest snapshot into the SQLite replica,
/// runs a restore drill (its signed result appended to the chain) and diffs the last two months.
///
/// Nouns: the **demo folder** (``DemoRoot``, `Vaults/demo/`), the **demo schedule** (``DemoSchedule``), and the
/// **summary** (``DemoSummary``) that ``DemoGuide`` turns into where things are and the commands to try next.
public struct DemoScenario: Sendable {
    /// The passphrase of the demo vault unless `CRMVAULT_PASSPHRASE` gives another; it is no secret.
    public static let defaultPassphrase = "crmvault demo passphrase"

    public var root: URL
    public var months = 3
    /// About the number of Accounts in the simulated org (the other objects scale with it).
    public var scale = 600
    public var passphrase: Passphrase
    public var settings = VaultSettings()
    public var crmvaultVersion = "unknown"
    /// The demo's "now": the pulls are labelled with the months before it, the last one with the month before its own.
    public var now = Date()

    public init(root: URL, passphrase: Passphrase) {
        self.root = root
        self.passphrase = passphrase
    }

    /// Runs the demo, reporting each step through `say`; throws on the first step that fails (a demo folder that is
    /// not the demo's is refused before anything is touched).
    public func run(logger: Logger, say: @escaping @Sendable (String) -> Void) async throws -> DemoSummary {
        let started = Date()
        let root = try DemoRoot.claim(self.root)
        var options = VendorSimulator.Options()
        options.scale = scale
        options.caCertificateFile = root.path("vendor-ca.pem")
        options.jobPollsUntilComplete = 1
        options.logger = logger
        let vendor = try await VendorSimulator.start(options)
        var summary = DemoSummary(root: root.url, vendorPort: vendor.baseURL.port ?? 0, scale: scale)
        do {
            say(
                "Simulated vendor (Salesforce Bulk API 2.0) serving at \(vendor.baseURL.absoluteString), "
                    + "its test CA in \(TerminalText.escaped(root.path("vendor-ca.pem").path))")
            try await pull(into: root, from: vendor, summary: &summary, logger: logger, say: say)
        } catch {
            await vendor.stop()
            throw error
        }
        await vendor.stop()
        try checkAndRestore(in: root, summary: &summary, say: say)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Creates the vault, the writer key and the schedule, and pulls `months` months over HTTPS.
    private func pull(
        into root: DemoRoot, from vendor: VendorSimulator, summary: inout DemoSummary, logger: Logger,
        say: @escaping @Sendable (String) -> Void
    ) async throws {
        let (vault, owner) = try Vault.create(at: root.path("vault"), passphrase: passphrase, settings: settings)
        try root.writeMarker(vaultID: vault.id)
        summary.vaultID = vault.id
        say("Created vault \(vault.id) in \(TerminalText.escaped(root.path("vault").path))")
        say("  owner fingerprint \(vault.ownerFingerprint) (an auditor pins it: `crmvault verify --trust`)")
        Self.recordAudit("init", in: vault, keys: owner)
        _ = try vault.authorizeWriter(owner: owner, name: "demo-pull-host", keyFile: root.path("writer.key"))
        Self.recordAudit("key writer", in: vault, keys: owner)
        let writerKeys = try vault.loadWriterKey(from: root.path("writer.key"))
        let definition = try DemoSchedule.write(in: root, vendor: vendor)
        say("Wrote a put-only writer key (writer.key) and a real schedule (\(DemoSchedule.file)) for it")

        var pullOptions = PullOptions()
        pullOptions.pollInterval = .milliseconds(50)
        pullOptions.maximumPollInterval = .milliseconds(200)
        let puller = Puller(options: pullOptions)
        let store = RunStateStore(directory: root.path("state"))
        for (month, date) in pullDates(in: definition.timeZone).enumerated() {
            vendor.currentMonth = month
            let started = Date()
            var recorder = PullRunRecorder(definition: definition, store: store, started: date)
            try recorder.begin()
            let result = try await puller.run(definition, now: date, logger: logger)
            let seconds = Date().timeIntervalSince(started)
            try recorder.succeeded(snapshots: result.exports.map(\.snapshot), at: date.addingTimeInterval(seconds))
            Self.recordAudit("pull", in: vault, keys: writerKeys)
            for export in result.exports {
                let records = export.objects.reduce(0) { $0 + $1.records }
                summary.pulls.append(
                    .init(
                        label: export.label, snapshot: export.snapshot, objects: export.objects.count,
                        records: records, bytesIn: export.bytesIn, bytesStored: export.bytesStored, seconds: seconds))
                say(
                    "Pulled \(export.label) over HTTPS: \(export.objects.count) objects, \(records) records, "
                        + "\(megabytes(export.bytesIn)) MB in, \(megabytes(export.bytesStored)) MB newly stored, "
                        + "\(String(format: "%.1f", seconds)) s: snapshot \(export.snapshot.prefix(12))"
                        + (export.skipped.isEmpty
                            ? ""
                            : "; left out, as Salesforce refuses them to the Bulk API: "
                                + export.skipped.map(\.name).joined(separator: ", ")))
            }
        }
    }

    /// Records a step in the vault's audit log (FORMAT.md §12) as the command that does it records itself, signed by the
    /// key it used, so the demo's vault holds the log a real one does (`crmvault log --vault demo`).
    private static func recordAudit(_ operation: String, in vault: Vault, keys: VaultKeys) {
        _ = vault.recordAudit(
            AuditEvent(operation: operation, arguments: ["demo"], outcome: "ok", vaultPath: vault.location), keys: keys)
    }

    /// Keyless verify, the writer key refused, the replica of the latest month, a drill and the last two months' diff.
    private func checkAndRestore(in root: DemoRoot, summary: inout DemoSummary, say: (String) -> Void) throws {
        let vault = try Vault.open(at: root.path("vault"))
        var started = Date()
        let keyless = try vault.verify()
        guard keyless.isIntact else {
            throw demoFailed(
                "keyless verify found problems: \(keyless.problems.map(\.message).joined(separator: "; "))")
        }
        say(
            "Keyless verify: \(keyless.chainEntries) chain entries, \(keyless.packs) packs, every signature and byte "
                + "checked without a key: OK (\(seconds(since: started)) s)")

        let chain = try vault.loadChain()
        let latest = try vault.resolveSnapshot("latest", in: chain)
        let writer = try vault.loadWriterKey(from: root.path("writer.key"))
        do {
            _ = try RestoredExport(latest, of: vault, keys: writer, under: root.path("work"))
            throw demoFailed("the writer key was able to restore")
        } catch let error as VaultError where error.code == .readOnlyKey {
            say("The writer key cannot read back what it wrote, as designed: \(error.message)")
        }

        let owner = try vault.unlock(passphrase: passphrase)
        started = Date()
        let restored = try RestoredExport(latest, of: vault, keys: owner, under: root.path("work"))
        guard restored.failures.isEmpty else { throw demoFailed(restored.failures.joined(separator: "; ")) }
        var replicaOptions = ReplicaOptions()
        replicaOptions.origin = restored.origin
        replicaOptions.crmvaultVersion = crmvaultVersion
        let replica = try ReplicaBuilder.build(
            exportAt: restored.url, into: root.path("replica.sqlite"), options: replicaOptions)
        guard replica.isPassed else { throw demoFailed("the replica failed its checks: \(replica.failures)") }
        Self.recordAudit("replica", in: vault, keys: owner)
        let rows = replica.objects.reduce(0) { $0 + $1.rows }
        say(
            "Restored \(TerminalText.escaped(restored.origin.label)) into the SQLite replica "
                + "\(TerminalText.escaped(root.path("replica.sqlite").path)): "
                + "\(replica.objects.count) tables, \(rows) rows, "
                + "\(replica.checks.count) checks passed (\(seconds(since: started)) s)")

        started = Date()
        let drill = try Drill.run(latest, of: vault, keys: owner, options: drillOptions(root))
        guard drill.result == "pass" else { throw demoFailed("the drill failed: \(drill.replica.failures)") }
        Self.recordAudit("drill", in: vault, keys: owner)
        say(
            "Restore drill of \(drill.label): \(drill.result), signed into the chain as entry \(drill.sequence ?? 0) "
                + "(\(seconds(since: started)) s)")

        try diffLastTwo(of: vault, chain: chain, keys: owner, root: root, summary: &summary, say: say)
    }

    private func diffLastTwo(
        of vault: Vault, chain: ChainState, keys: VaultKeys, root: DemoRoot, summary: inout DemoSummary,
        say: (String) -> Void
    ) throws {
        guard summary.pulls.count >= 2 else { return }
        let started = Date()
        let (olderID, newerID) = (summary.pulls[summary.pulls.count - 2].snapshot, summary.pulls.last!.snapshot)
        let older = try RestoredExport(
            try vault.resolveSnapshot(olderID, in: chain), of: vault, keys: keys, under: root.path("work"))
        let newer = try RestoredExport(
            try vault.resolveSnapshot(newerID, in: chain), of: vault, keys: keys, under: root.path("work"))
        let report = try ExportDiff.compare(older.url, newer.url, options: .init(workDirectory: root.path("work")))
        Self.recordAudit("diff", in: vault, keys: keys)
        let changes = report.objects.filter { $0.added + $0.deleted + $0.modified > 0 }.map {
            "\(TerminalText.escaped($0.name)) +\($0.added) -\($0.deleted) ~\($0.modified)"
        }
        say(
            "Diff \(TerminalText.escaped(older.origin.label)) → \(TerminalText.escaped(newer.origin.label)): "
                + (changes.isEmpty ? "no changes" : changes.joined(separator: ", ")) + "; "
                + (report.alerts.isEmpty ? "no alerts" : "\(report.alerts.count) alerts")
                + " (\(seconds(since: started)) s)")
    }

    private func drillOptions(_ root: DemoRoot) -> Drill.Options {
        var options = Drill.Options(workDirectory: root.path("work"))
        options.crmvaultVersion = crmvaultVersion
        return options
    }

    /// 02:00 on the 1st of each of the `months` months before `now`'s month, in `timeZone`, oldest first.
    func pullDates(in timeZone: TimeZone) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        return (0..<months).map { index in
            let first = calendar.date(byAdding: .month, value: index - months, to: thisMonth)!
            return calendar.date(byAdding: .hour, value: 2, to: first)!
        }
    }

    private func seconds(since start: Date) -> String { String(format: "%.1f", Date().timeIntervalSince(start)) }
}

func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }

/// A step of the demo that found a problem: an integrity failure (exit 1), which the demo must never show.
func demoFailed(_ what: String) -> VaultError {
    VaultError(
        .checkFailed, "The demo failed: \(TerminalText.escaped(what)).",
        remedy: "Please report it with the output above; the demo folder is kept as it is for a look.")
}
