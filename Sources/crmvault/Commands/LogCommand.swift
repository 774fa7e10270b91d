import ArgumentParser
import Definitions
import Foundation
import VaultCore

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the vault's signed audit log (every operation done with a key), or this host's local log with --local.",
        discussion: """
            Each line: sequence, time, operation, user@host, who signed it (owner, or writer NAME, as `snapshots` \
            shows), outcome. An entry that does not verify says so and makes the command exit 1. --local shows \
            keyless operations and those on read-only or locked media; with --vault, only that vault's.
            """)

    @Option(help: ArgumentHelp(
        "The vault directory, or a name defined in Vaults/NAME.toml; $CRMVAULT_VAULT when not given.", valueName: "dir-or-name"),
        completion: .directory)
    var vault: String?
    @Flag(help: "Show this host's local audit log (keyless operations, read-only media).") var local = false
    @OptionGroup var output: OutputOptions

    var vaultGiven: String? { vault ?? ProcessInfo.processInfo.environment["CRMVAULT_VAULT"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        if vaultGiven == nil && !local { throw ValidationError("Give --vault DIR, or --local for this host's log.") }
    }

    func run() throws {
        try reportingVaultErrors {
            if local { return try showLocal() }
            let records = try Vault.open(at: try VaultOptions.resolve(vaultGiven!)).auditLog()
            let problems = records.filter { !$0.isVerified }.count
            if output.json {
                try printJSON(["entries": records.map(LogEntryOutput.init)], status: problems == 0 ? "ok" : "problems")
            } else if output.isTalking {
                printEntries(records)
            }
            if problems > 0 {
                if !output.json { printError("\(counted(problems, "audit entry", plural: "audit entries")) do not verify.") }
                throw ExitCode(1)
            }
        }
    }

    /// One line per entry: sequence, time, operation, user@host, who signed it (role), outcome; an entry that does not
    /// verify says so instead of passing for a signed one. Every field is escaped: users, hosts, arguments and outcomes
    /// quote names a key holder chose.
    private func printEntries(_ records: [AuditRecord]) {
        func shown(_ value: String) -> String { TerminalText.escaped(value) }
        for record in records {
            let status = record.isVerified ? "" : "\tUNVERIFIED: " + shown(record.problems.joined(separator: "; "))
            guard let entry = record.entry else {
                print("?\t\(shown(record.file))\(status)")
                continue
            }
            let event = entry.event
            print("\(entry.sequence)\t\(shown(event.time))\t\(shown(event.operation))\t\(shown(event.user))@\(shown(event.host))\t"
                + "\(shown(record.signedBy))\t\(shown(event.outcome))\(status)")
        }
        if records.isEmpty { print("The vault's audit log is empty.") }
    }

    /// The local log as text (or JSON), only the given vault's lines when --vault is given: matched by the vault's id
    /// when it opens, else by the path recorded for a vault that could not be opened.
    private func showLocal() throws {
        var (records, unreadable) = LocalAuditLog.records()
        if let vaultGiven {
            let url = try VaultOptions.resolve(vaultGiven)
            let names: Set<String> = [vaultGiven, url.path, (try? Vault.open(at: url))?.id].compactMap { $0 }.reduce(into: []) { $0.insert($1) }
            records = records.filter { names.contains($0.vault) }
        }
        if output.json {
            return try printJSON(LocalLogOutput(path: LocalAuditLog.path, entries: records, unreadableLines: unreadable))
        }
        guard output.isTalking else { return }
        func shown(_ value: String) -> String { TerminalText.escaped(value) }
        print("Local audit log \(shown(LocalAuditLog.path))" + (vaultGiven.map { " (vault \(shown($0)) only)" } ?? "") + ":")
        for record in records {
            let event = record.event
            print("\(shown(event.time))\t\(shown(event.operation))\t\(shown(event.user))@\(shown(event.host))\t"
                + "vault \(shown(record.vault))\t\(shown(event.outcome))\t(\(shown(record.reason)))"
                + (record.isLinked ? "" : "\tNOT LINKED to the line before (edited or cut)"))
        }
        if records.isEmpty { print("No entries.") }
        if unreadable > 0 { printWarning("\(counted(unreadable, "line")) of the local log do not parse.") }
    }
}

/// An audit entry as `log --json` gives it: flat, the signer named by role and fingerprint, as `snapshots` does.
struct LogEntryOutput: Encodable {
    var file: String
    var sequence: Int?
    var time: String?
    var operation: String?
    var arguments: [String]?
    var user: String?
    var host: String?
    var outcome: String?
    var signedBy: String
    var signerFingerprint: String?
    var problems: [String]

    init(_ record: AuditRecord) {
        file = record.file
        sequence = record.entry?.sequence
        time = record.entry?.event.time
        operation = record.entry?.event.operation
        arguments = record.entry?.event.arguments
        user = record.entry?.event.user
        host = record.entry?.event.host
        outcome = record.entry?.event.outcome
        signedBy = record.signedBy
        signerFingerprint = record.entry.flatMap { PublicSigningKey(hex: $0.signer)?.fingerprint }
        problems = record.problems
    }
}

struct LocalLogOutput: Encodable {
    var path: String
    var entries: [LocalAuditLog.Record]
    var unreadableLines: Int
}
