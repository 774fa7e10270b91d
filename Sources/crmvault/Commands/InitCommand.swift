import ArgumentParser
import Foundation
import VaultCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new vault; prints its id and the owner fingerprint to pin.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "Argon2id cost: interactive, moderate (default) or sensitive.")
    var kdf: String = "moderate"

    @Option(help: ArgumentHelp("Average chunk size in bytes (power of two).", visibility: .hidden))
    var chunkAverage: Int?

    @Option(help: ArgumentHelp("Target pack size in bytes (default 16 MiB).", visibility: .hidden))
    var packTarget: Int?

    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        try audited("init", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            var settings = VaultSettings()
            switch kdf {
            case "interactive": settings.kdf = .interactive
            case "moderate": settings.kdf = .moderate
            case "sensitive": settings.kdf = .sensitive
            case "insecure-test-only" where ProcessInfo.processInfo.environment["CRMVAULT_ALLOW_INSECURE_KDF"] == "1":
                settings.kdf = .insecureForTestsOnly
            default: throw ValidationError("--kdf must be interactive, moderate or sensitive.")
            }
            if let packTarget {
                guard packTarget >= 64 << 10 && packTarget <= 1 << 30 else { throw ValidationError("--pack-target must be 64 KiB to 1 GiB.") }
                settings.packTarget = packTarget
            }
            if let chunkAverage {
                settings.chunker = ChunkerParameters(minimum: chunkAverage / 4, average: chunkAverage, maximum: chunkAverage * 8)
            }
            let (created, owner) = try Vault.create(at: vault.url, passphrase: try passphrase.passphrase(confirming: true), settings: settings)
            context.vault = created
            context.keys = owner
            if json {
                try printJSON(["vault": created.id, "location": created.location, "ownerFingerprint": created.ownerFingerprint])
            } else {
                print("Created vault \(created.id) at \(TerminalText.escaped(created.location))")
                print("Owner fingerprint (give it to your auditors, keep it on paper):")
                print("  \(created.ownerFingerprint)")
                print("Keep the passphrase safe: without it no one, not even you, can restore this vault.")
            }
        }
    }
}
