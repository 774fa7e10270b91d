import ArgumentParser
import Foundation
import VaultCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a vault: keyless by default (signatures, chain, every pack's hash); --deep decrypts every chunk.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Option(help: "The owner fingerprint you pinned at `init`; verify fails if the vault's owner key differs.")
    var trust: String?

    @Flag(help: "Also decrypt, decompress and check every chunk (needs the owner passphrase).") var deep = false

    @Option(help: ArgumentHelp("A writer key cannot verify --deep; given here, it is refused with an explanation.", visibility: .hidden))
    var key: String?

    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        try reportingVaultErrors {
            let opened = try vault.open()
            var ownerKeys: VaultKeys?
            if deep {
                if let key {
                    _ = try opened.loadWriterKey(from: URL(fileURLWithPath: key))
                    throw VaultError(.readOnlyKey, "A writer key cannot run verify --deep: it cannot decrypt any data.",
                        remedy: "Use the owner passphrase, or run keyless `crmvault verify` without --deep.")
                }
                ownerKeys = try opened.unlock(passphrase: try passphrase.passphrase())
            }
            let report = try opened.verify(trustedFingerprint: trust, ownerKeys: ownerKeys)
            if json {
                try printJSON(report)
            } else {
                print("Vault \(report.vault) at \(report.location)")
                print("Owner fingerprint \(report.ownerFingerprint)" + (trust == nil ? " (not checked: pass --trust)" : ""))
                print("Checked \(report.chainEntries) chain entries, \(report.snapshots) snapshots, \(report.packs) packs "
                    + "(\(formatBytes(report.packBytes)), \(report.chunks) chunks)\(report.isDeep ? ", every chunk decrypted" : ", keyless")"
                    + " in \(String(format: "%.1f", report.seconds)) s.")
                if !report.leftovers.isEmpty {
                    print("\(report.leftovers.count) leftover files of interrupted backups (harmless; the next backup reuses them):")
                    for file in report.leftovers.prefix(10) { print("  \(file)") }
                }
                if report.isIntact {
                    print("OK: no problems found.")
                } else {
                    print("\(report.problems.count) PROBLEMS:")
                    for problem in report.problems {
                        print("  \(problem.file) \(problem.message)")
                        if !problem.affects.isEmpty { print("    affects: \(problem.affects.joined(separator: "; "))") }
                    }
                }
            }
            if !report.isIntact { throw ExitCode(1) }
        }
    }
}
