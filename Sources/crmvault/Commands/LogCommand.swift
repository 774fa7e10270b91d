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
                    print("Local audit log \(path):")
                    print(text, terminator: "")
                }
                return
            }
            let entries = try Vault.open(at: VaultOptions.resolve(vault!)).auditEntries()
            if json {
                try printJSON(entries)
                return
            }
            for entry in entries {
                let event = entry.event
                print("\(entry.sequence)\t\(event.time)\t\(event.operation)\t\(event.user)@\(event.host)\tkey \(entry.signer.prefix(16))…\t\(event.outcome)")
            }
            if entries.isEmpty { print("The vault's audit log is empty.") }
        }
    }
}
