import ArgumentParser
import Definitions
import Foundation
import VaultCore

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the vault's signed audit log (every operation done with a key), or the local log with --local.")

    @Option(help: "The vault directory, or the name of a definition in Vaults/NAME.toml.", completion: .directory) var vault: String?
    @Flag(help: "Show this host's local audit log (keyless operations, read-only media).") var local = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if vault == nil && !local { throw ValidationError("Give --vault DIR, or --local for this host's log.") }
    }

    func run() throws {
        try reportingVaultErrors {
            if local {
                let path = LocalAuditLog.path
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                if json {
                    print("[" + text.split(separator: "\n").joined(separator: ",\n") + "]")
                } else {
                    print("Local audit log \(TerminalText.escaped(path)):")
                    // JSON lines escape control characters, but not C1 controls or bidi overrides: each line is escaped.
                    for line in text.split(separator: "\n") { print(TerminalText.escaped(line)) }
                }
                return
            }
            let records = try Vault.open(at: VaultOptions.resolve(vault!)).auditLog()
            if json {
                try printJSON(records)
                return
            }
            // One line per entry: sequence, time, operation, user@host, who signed it (role), outcome; an entry that does
            // not verify says so instead of passing for a signed one. Every field is escaped: users, hosts, arguments
            // and outcomes quote names a key holder chose.
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
            if records.contains(where: { !$0.isVerified }) { throw ExitCode(1) }
        }
    }
}
