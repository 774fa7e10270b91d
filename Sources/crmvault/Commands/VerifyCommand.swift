import ArgumentParser
import Foundation
import VaultCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a vault: keyless by default (signatures, chain, every pack's hash); --deep decrypts every chunk.",
        discussion: "See docs/AUDITING.md for the auditor's procedure and what each result means.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "The owner fingerprint you pinned at `init`; verify fails if the vault's owner key differs.")
    var trust: String?

    @Option(help: "A checkpoint file the chain must extend (repeatable); detects rollback, truncation and forks.")
    var checkpoint: [String] = []

    @Option(help: "Check only what was added after this checkpoint file (the chain is still checked whole).")
    var since: String?

    @Option(help: "Read only this percentage of the packs, chosen at random (a spot check for slow media).")
    var sample: Double?

    @Option(help: "Warn when a source's newest snapshot is older than this many days.")
    var maxAge = 35

    @Option(help: "Warn when a source has no passing restore drill (`crmvault drill`) newer than this many days.")
    var maxDrillAge = 35

    @Flag(help: "Also decrypt, decompress and check every chunk and every file's digest (needs the owner passphrase).")
    var deep = false

    @Option(help: ArgumentHelp("A writer key cannot verify --deep; given here, it is refused with an explanation.", visibility: .hidden))
    var key: String?

    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if let trust, trust.count != 64 || Hex.decode(trust.lowercased()) == nil {
            throw ValidationError("--trust takes the 64-hex-digit owner fingerprint that `init` printed; \"\(trust)\" is not one.")
        }
        if let sample, !(sample > 0 && sample <= 100) { throw ValidationError("--sample must be a percentage in (0, 100].") }
    }

    func run() throws {
        try audited(deep ? "verify --deep" : "verify", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            let opened: Vault
            do {
                opened = try vault.open()
            } catch let error as VaultError where json && error.code == .vaultDamaged {
                // A damaged config is a verify finding: --json gets a report, not an error object.
                var report = VerifyReport(vault: "", location: vault.url.path, ownerFingerprint: "", isDeep: deep)
                report.problems = [VerifyProblem(file: "config", message: error.message)]
                try printJSON(report)
                printError(error.description)
                context.outcome = "1 problem: \(error.message)"
                throw ExitCode(1)
            }
            context.vault = opened
            var options = VerifyOptions(trustedFingerprint: trust)
            options.checkpoints = try checkpoint.map { (try Self.readCheckpoint($0), $0) }
            options.since = try since.map { (try Self.readCheckpoint($0), $0) }
            options.samplePercent = sample
            options.maximumAgeDays = maxAge
            options.maximumDrillAgeDays = maxDrillAge
            if deep {
                if let key {
                    ProcessHardening.protectSecrets()
                    context.keys = try opened.loadWriterKey(from: URL(fileURLWithPath: key))
                    throw VaultError(.readOnlyKey, "A writer key cannot run verify --deep: it cannot decrypt any data.",
                        remedy: "Use the owner passphrase, or run keyless `crmvault verify` without --deep.")
                }
                options.ownerKeys = try opened.unlock(passphrase: try passphrase.passphrase())
                context.keys = options.ownerKeys
            }
            let report = try opened.verify(options)
            context.outcome = report.isIntact ? "ok: no problems" : "\(report.problems.count) problems"
            if json {
                try printJSON(report)
            } else {
                VerifyReportPrinter.print(report, trustGiven: trust != nil)
            }
            if !report.isIntact { throw ExitCode(1) }
        }
    }

    static func readCheckpoint(_ path: String) throws -> Checkpoint {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VaultError(.usage, "Cannot read the checkpoint file \(path).")
        }
        return try Checkpoint(parsing: text, source: path)
    }
}

/// The human summary of a verify report: what was checked, how much, how long, what is wrong and what it affects.
/// Every value that came from the vault (file names, labels, sources, messages quoting them) is escaped, so nothing
/// in a vault can rewrite what the terminal shows (a name that erases the PROBLEMS lines and prints "OK").
enum VerifyReportPrinter {
    static func print(_ report: VerifyReport, trustGiven: Bool) {
        func shown(_ value: String) -> String { TerminalText.escaped(value) }
        Swift.print("Vault \(shown(report.vault)) at \(shown(report.location))")
        let trust = report.isFingerprintTrusted ? "matches the fingerprint you trust" : (trustGiven ? "DOES NOT MATCH" : "not checked: pass --trust")
        Swift.print("Owner fingerprint \(shown(report.ownerFingerprint)) (\(trust))")
        Swift.print("Scope: \(shown(report.scope)). Checked \(report.chainEntries) chain entries, \(report.checkpointsChecked) checkpoints, "
            + "\(report.snapshots) snapshots, \(report.packs) packs (\(formatBytes(report.packBytes)), \(report.chunks) chunks)"
            + (report.packsSkipped > 0 ? ", \(report.packsSkipped) packs not sampled" : "")
            + (report.isDeep ? ", every chunk decrypted and \(report.filesChecked) file digests checked" : ", keyless")
            + " in \(String(format: "%.1f", report.seconds)) s.")
        for source in report.coverage {
            let months = source.months.map { "\($0.month):\($0.snapshots.count)" }.joined(separator: " ")
            Swift.print("Coverage of \(shown(source.source)): \(shown(months)); newest \(shown(source.newest))")
        }
        for drill in report.drills {
            Swift.print("Restore drills of \(shown(drill.source)): \(drill.drills); last \(drill.lastTime) \(drill.lastResult.uppercased()) "
                + "(snapshot \(drill.lastSnapshot.prefix(12)), chain entry \(drill.lastSequence))"
                + (drill.lastResult == "pass" ? "" : drill.lastPassed.map { "; last passed \($0)" } ?? "; none passed"))
        }
        for warning in report.warnings { Swift.print("WARNING: \(shown(warning))") }
        if !report.leftovers.isEmpty {
            Swift.print("\(report.leftovers.count) leftover files no chain entry vouches for (from interrupted backups, or put there by "
                + "someone else): not trusted, and reused by a backup only when sealed by a key of this vault:")
            for file in report.leftovers.prefix(10) { Swift.print("  \(shown(file))") }
        }
        if report.isIntact {
            Swift.print("OK: no problems found.")
        } else {
            Swift.print("\(report.problems.count) PROBLEMS:")
            for problem in report.problems {
                Swift.print("  \(shown(problem.file)) \(shown(problem.message))")
                if !problem.affects.isEmpty { Swift.print("    affects: \(shown(problem.affects.joined(separator: "; ")))") }
            }
        }
    }
}
