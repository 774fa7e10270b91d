import ArgumentParser
import Foundation
import VaultCore

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Manage keys.", subcommands: [WriterKeyCommand.self])
}

struct WriterKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writer",
        abstract: "Create a writer (put-only) key for a pull host: it can add snapshots but never read one.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "Where to write the key file (created with mode 0600, never overwritten).")
    var out: String

    @Option(help: "A name for the key, shown in `snapshots` (default: this host's name).")
    var name: String?

    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        try audited("key writer", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let owner = try opened.unlock(passphrase: try passphrase.passphrase())
            context.keys = owner
            let name = self.name ?? ProcessInfo.processInfo.hostName
            let key = try opened.authorizeWriter(owner: owner, name: name, keyFile: URL(fileURLWithPath: out))
            if json {
                try printJSON(["name": name, "keyFile": out, "publicKey": key.hex, "fingerprint": key.fingerprint])
            } else {
                print("Wrote writer key \"\(TerminalText.escaped(name))\" to \(TerminalText.escaped(out)) (mode 0600).")
                print("Its public key \(key.hex) is authorized in the vault's chain.")
            }
            context.outcome = "ok: authorized writer \(name) \(key.fingerprint)"
        }
    }
}
