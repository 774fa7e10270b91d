import ArgumentParser
import Foundation
import Reader
import VaultCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a vault: keyless by default (signatures, chain, every pack's hash); --deep decrypts every chunk.",
        discussion: """
            The report says when it was made, by which crmvault, against which pinned fingerprint, and lists every \
            snapshot with its label and source: something to file. See docs/AUDITING.md for the auditor's procedure \
            and what each result means. Exit 1 when a problem is found. --deep needs the owner passphrase.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("The owner fingerprint you pinned at init; verify fails if the vault's owner key differs.",
        valueName: "fingerprint"))
    var trust: String?

    @Option(help: ArgumentHelp("A checkpoint file the chain must extend (repeatable); detects rollback, truncation and forks.",
        valueName: "file"))
    var checkpoint: [String] = []

    @Option(help: ArgumentHelp("Check only what was added after this checkpoint file (the chain is still checked whole).",
        valueName: "file"))
    var since: String?

    @Option(help: ArgumentHelp("Read only this percentage of the packs, chosen at random (a spot check for slow media).",
        valueName: "percent"))
    var sample: Double?

    @Option(help: ArgumentHelp("Warn when a source's newest snapshot is older than this many days.", valueName: "days"))
    var maxAge = 35

    @Option(help: "Warn when a source has no passing restore drill (`crmvault drill`) newer than this many days.")
    var maxDrillAge = 35

    @Flag(help: "Also decrypt, decompress and check every chunk and every file's digest (needs the owner passphrase).")
    var deep = false

    @Option(help: ArgumentHelp("A writer key cannot verify --deep; given here, it is refused with an explanation.", visibility: .hidden))
    var key: String?

    func validate() throws {
        if let trust, trust.count != 64 || Hex.decode(trust.lowercased()) == nil {
            throw ValidationError("--trust takes the 64-hex-digit owner fingerprint that `init` printed; \"\(trust)\" is not one.")
        }
        if let sample, !(sample > 0 && sample <= 100) { throw ValidationError("--sample must be a percentage in (0, 100].") }
    }

    func run() throws {
        try audited(deep ? "verify --deep" : "verify", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let opened: Vault
            do {
                opened = try vault.open()
            } catch let error as VaultError where output.json && error.code == .vaultDamaged {
                // A damaged config is a verify finding: --json gets a report, not an error object.
                var report = VerifyReport(vault: "", location: vault.url.path, ownerFingerprint: "", isDeep: deep)
                report.checked = Timestamp.now()
                report.problems = [VerifyProblem(file: "config", message: error.message)]
                try printJSON(VerifyOutput(report: report, reader: nil), status: "problems")
                printError(error.description)
                context.outcome = "1 problem: \(error.message)"
                throw ExitCode(1)
            }
            context.vault = opened
            var options = VerifyOptions(trustedFingerprint: trust)
            // A checkpoint that breaks §11 is a finding (exit 1), not a usage error: it may have been edited.
            func load(_ path: String) throws -> Checkpoint? {
                do { return try Self.readCheckpoint(path) } catch let violation as FormatViolation {
                    options.checkpointProblems.append(VerifyProblem(file: path, violation: violation, signedBy: nil))
                    return nil
                }
            }
            options.checkpoints = try checkpoint.compactMap { path in try load(path).map { ($0, path) } }
            options.since = try since.flatMap { path in try load(path).map { ($0, path) } }
            options.samplePercent = sample
            options.maximumAgeDays = maxAge
            options.maximumDrillAgeDays = maxDrillAge
            let derived = DerivedKeys()
            // Set however verify ends, for the audit entry signed afterwards.
            defer { if let keys = derived.keys { context.keys = keys } }
            if deep {
                if let key {
                    ProcessHardening.protectSecrets()
                    context.keys = try opened.loadWriterKey(from: URL(fileURLWithPath: key))
                    throw VaultError(.readOnlyKey, "A writer key cannot run verify --deep: it cannot decrypt any data.",
                        remedy: "Use the owner passphrase, or run keyless `crmvault verify` without --deep.")
                }
                // The key is derived inside verify, on a thread of its own, while the keyless part runs.
                let phrase = try passphrase.passphrase()
                options.unlock = { [opened] in try derived.set(opened.unlock(passphrase: phrase)) }
            }
            let meter = output.progressMeter()
            defer { meter?.finish() }
            options.progress = meter?.handler
            var report = try opened.verify(options)
            meter?.finish()
            // The reader beside the vault is what an operator will give the passphrase to: a damaged or swapped one is
            // a problem like a damaged pack.
            let reader = ReaderBundle.check(besideVault: URL(fileURLWithPath: opened.location))
            if let problem = reader?.problem {
                report.problems.append(VerifyProblem(file: "../\(ReaderBundle.directoryName)/\(ReaderBundle.binaryName)", message: problem))
                report.status = "problems"
            }
            context.outcome = report.isIntact ? "ok: no problems" : counted(report.problems.count, "problem")
            if output.json {
                try printJSON(VerifyOutput(report: report, reader: reader))
            } else if !output.quiet {
                VerifyReportPrinter.print(report, reader: reader)
            } else if !report.isIntact {
                for problem in report.problems { printError("\(problem.file) \(problem.message)") }
            }
            if !report.isIntact { throw ExitCode(1) }
        }
    }

    static func readCheckpoint(_ path: String) throws -> Checkpoint {
        // A checkpoint is a few hundred bytes; more than 64 KiB is not one, and is not read whole.
        guard let handle = FileHandle(forReadingAtPath: path), let bytes = try? handle.read(upToCount: 64 << 10 + 1) else {
            throw VaultError(.usage, "Cannot read the checkpoint file \(path).", remedy: "Check the path given to --checkpoint or --since.")
        }
        try? handle.close()
        guard bytes.count <= 64 << 10 else { throw FormatViolation("§11", "is longer than any checkpoint (64 KiB)") }
        return try Checkpoint(parsing: Array(bytes))
    }
}

/// The verify report with what only the command knows: the reader beside the vault.
struct VerifyOutput: Encodable {
    var report: VerifyReport
    var reader: ReaderBundle.Check?

    enum CodingKeys: String, CodingKey { case reader }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(reader, forKey: .reader)
    }
}

/// The owner's keys verify derived, kept for the audit entry the command signs afterwards.
private final class DerivedKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: VaultKeys?

    var keys: VaultKeys? { lock.withLock { stored } }

    func set(_ keys: VaultKeys) -> VaultKeys {
        lock.withLock { stored = keys }
        return keys
    }
}
