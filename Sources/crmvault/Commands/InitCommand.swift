import ArgumentParser
import Foundation
import Reader
import VaultCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new vault; prints its id and the owner fingerprint to pin.",
        discussion: """
            The vault's directory must be new or empty, and its parent must exist (a medium that failed to mount must \
            not put the vault on the system disk); --parents creates missing parents on purpose. The passphrase is \
            asked twice on a terminal and must have at least 8 characters.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("Argon2id cost: interactive, moderate or sensitive.", valueName: "cost"))
    var kdf: String = "moderate"

    @Flag(help: "Create missing parent directories of the vault.") var parents = false

    @Flag(help: "Also write the standalone reader beside the vault (see `crmvault reader --help`).") var withReader = false

    @Option(help: ArgumentHelp("Average chunk size in bytes (power of two).", visibility: .hidden))
    var chunkAverage: Int?

    @Option(help: ArgumentHelp("Target pack size in bytes (16 MiB unless given).", visibility: .hidden))
    var packTarget: Int?

    func run() throws {
        try audited("init", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
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
            // The reader is checked first: a refused reader must not leave a half-made medium behind.
            let reader = withReader ? try ReaderSource.standalone() : nil
            let (created, owner) = try Vault.create(
                at: vault.url, passphrase: try passphrase.passphrase(confirming: true), settings: settings, creatingParents: parents)
            context.vault = created
            context.keys = owner
            let written = try reader.map { try $0.write(besideVault: created) }
            if let written { context.outcome = "ok: reader \(written.sha256) in \(written.directory)" }
            if output.json {
                try printJSON(InitOutput(
                    vault: created.id, location: created.location, ownerFingerprint: created.ownerFingerprint, reader: written))
                return
            }
            output.say("Created vault \(created.id) at \(TerminalText.escaped(created.location))")
            output.say("Owner fingerprint (give it to your auditors, keep it on paper):")
            output.say("  \(created.ownerFingerprint)")
            output.say("Keep the passphrase safe: without it no one, not even you, can restore this vault.")
            if let written { ReaderCommand.describe(written, output: output) }
        }
    }
}

struct InitOutput: Encodable {
    var vault: String
    var location: String
    var ownerFingerprint: String
    var reader: ReaderBundle.Written?
}
