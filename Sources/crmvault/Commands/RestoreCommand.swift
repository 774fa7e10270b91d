import ArgumentParser
import Foundation
import VaultCore

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a snapshot's files, byte-exact, into a directory.",
        discussion: """
            The snapshot is `latest`, a label (2026-11) or a prefix of its id; --source NAME picks among that source's \
            snapshots (`restore --source salesforce-prod latest`). A selector that fits several snapshots is refused \
            with the list of candidates. Restore needs the owner passphrase. Exit 1 when the vault's data for a file is \
            damaged (the rest is restored), 5 when the target fills up or cannot be written.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("The directory to restore into (new, or empty unless --force).", valueName: "dir"))
    var to: String

    @Option(help: ArgumentHelp("Choose among the snapshots of this source only (backup --source).", valueName: "name"))
    var source: String?

    @Flag(help: "Restore into a non-empty directory, replacing files of the same name.") var force = false

    @Flag(help: "Do not create links that point outside the restored tree (absolute links, or ones that climb out with ..).")
    var noLinksOutside = false

    @Option(help: ArgumentHelp(
        "Refused: a writer key can add snapshots but never read one; restore uses the owner passphrase.", valueName: "file"))
    var key: String?

    @Argument(help: "The snapshot: latest, a label, or a unique prefix of its id.")
    var snapshot: String

    func run() throws {
        try audited("restore", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            // The snapshot is found before the key is derived: the restore reads its manifest and indexes meanwhile.
            let entry = try opened.resolveSnapshot(snapshot, source: source, in: try opened.loadChain())
            let snapshotID = entry.entry.snapshot ?? ""
            let started = Date()
            let meter = output.progressMeter()
            defer { meter?.finish() }
            let report = try opened.restore(entry, to: URL(fileURLWithPath: to), unlocking: {
                let keys = try passphrase.keys(for: opened, writerKeyFile: key)
                context.keys = keys
                return keys
            }, force: force, outsideLinks: noLinksOutside ? .refuse : .create, progress: meter?.handler)
            meter?.finish()
            let manifest = try opened.loadManifest(entry).manifest
            let seconds = Date().timeIntervalSince(started)
            let status = report.hasDamagedData ? "damaged" : report.hasTargetFailure ? "failed" : "ok"
            context.outcome = "restored \(counted(report.filesRestored, "file")) of snapshot \(snapshotID) to \(to)"
                + (report.failures.isEmpty ? "" : "; \(counted(report.failures.count, "entry", plural: "entries")) not restored")
            if output.json {
                try printJSON(RestoreOutput(
                    snapshot: snapshotID, sequence: entry.entry.sequence, label: manifest.label,
                    source: manifest.source.origin ?? "default", files: report.filesRestored, bytesRestored: report.bytesRestored,
                    links: report.linksRestored, linksOutside: report.linksOutside.map { .init(path: $0.path, target: $0.target) },
                    filesNotAttempted: report.filesNotAttempted, seconds: seconds,
                    failures: report.failures.map { .init(path: $0.path, reason: $0.reason, cause: $0.cause.rawValue) }),
                    status: status)
            } else {
                printHuman(report, snapshotID: snapshotID, label: manifest.label, seconds: seconds)
            }
            if report.hasDamagedData { throw ExitCode(1) }
            if report.hasTargetFailure { throw ExitCode(5) }
        }
    }

    /// The result in words; what went wrong is blamed on what is at fault: the vault's data, or the target.
    private func printHuman(_ report: RestoreReport, snapshotID: String, label: String, seconds: Double) {
        func shown(_ value: String) -> String { TerminalText.escaped(value) }
        let name = shown(String(snapshotID.prefix(12))) + (label.isEmpty ? "" : " (\(shown(label)))")
        output.say("Restored \(counted(report.filesRestored, "file")) (\(formatBytes(report.bytesRestored))) of snapshot \(name) "
            + "to \(shown(to)) in \(String(format: "%.1f", seconds)) s.")
        if !report.linksOutside.isEmpty {
            output.say("\(counted(report.linksOutside.count, "link")) point outside the restored tree, as they did in the export:")
            for link in report.linksOutside.prefix(10) { output.say("  \(shown(link.path)) -> \(shown(link.target))") }
        }
        let refused = report.failures.filter { $0.cause == .refusedLink }
        for failure in refused { printWarning("\(failure.path) \(failure.reason)") }
        let damaged = report.failures.filter { $0.cause == .damagedData }
        for failure in damaged { printError("\(failure.path) was not restored: \(failure.reason)") }
        if !damaged.isEmpty {
            printError("\(counted(damaged.count, "file")) could not be restored because the vault's data for them is damaged; the "
                + "rest were. Run `crmvault verify --vault \(vault.name)` for a full report.")
        }
        let target = report.failures.filter { $0.cause == .target }
        for failure in target.prefix(5) { printError("\(failure.path) was not restored: \(failure.reason)") }
        if !target.isEmpty {
            printError("\(counted(target.count, "entry", plural: "entries")) could not be written to the target \(to)"
                + (report.filesNotAttempted > 0 ? " and \(counted(report.filesNotAttempted, "file")) were not tried after it filled up" : "")
                + ". The vault is not at fault: free space on the target or restore elsewhere.")
        }
    }
}

struct RestoreOutput: Encodable {
    struct Link: Encodable {
        var path: String
        var target: String
    }

    struct Failure: Encodable {
        var path: String
        var reason: String
        /// `damagedData`, `target` or `refusedLink`.
        var cause: String
    }

    var snapshot: String
    var sequence: Int
    var label: String
    var source: String
    var files: Int
    var bytesRestored: Int
    var links: Int
    var linksOutside: [Link]
    var filesNotAttempted: Int
    var seconds: Double
    var failures: [Failure]
}
