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
        abstract: "Create a writer (put-only) key for a pull host: it can add snapshots but never read one.",
        discussion: """
            The key is authorized by an owner-signed chain entry. It is named everywhere by its fingerprint (the \
            SHA-256 of its public key) and by the name given here, as `snapshots` and `log` show it.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("Where to write the key file (created with mode 0600, never overwritten).", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("A name for the key, shown in `snapshots` and `log`; this host's name unless given.", valueName: "name"))
    var name: String?

    func run() throws {
        try audited("key writer", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let owner = try opened.unlock(passphrase: try passphrase.passphrase())
            context.keys = owner
            let name = self.name ?? ProcessInfo.processInfo.hostName
            let key = try opened.authorizeWriter(owner: owner, name: name, keyFile: URL(fileURLWithPath: out))
            context.outcome = "ok: authorized writer \(name) \(key.fingerprint)"
            if output.json {
                try printJSON(["name": name, "keyFile": out, "fingerprint": key.fingerprint])
                return
            }
            output.say("Wrote writer key \"\(TerminalText.escaped(name))\" to \(TerminalText.escaped(out)) (mode 0600).")
            output.say("It is authorized in the vault's chain; its fingerprint is \(key.fingerprint).")
        }
    }
}
