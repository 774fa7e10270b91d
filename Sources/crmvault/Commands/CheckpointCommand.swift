import ArgumentParser
import Foundation
import VaultCore

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the chain head (vault id, sequence, head hash, time) for an auditor to keep.",
        discussion: """
            Keep the output on paper or another medium. Later, `crmvault verify --checkpoint FILE` proves the chain
            still extends it: a vault rolled back to an older copy, a truncated chain or a forked history fails.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Flag(help: "Sign the checkpoint with the owner key (needs the owner passphrase).") var sign = false
    @Option(help: "Also write the checkpoint to this file.") var out: String?
    @Flag(help: "Print the checkpoint's fields (and its text) as JSON.") var json = false

    func run() throws {
        try audited("checkpoint", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let owner = sign ? try opened.unlock(passphrase: try passphrase.passphrase()) : nil
            context.keys = owner
            let checkpoint = try opened.checkpoint(owner: owner)
            if let out {
                do { try checkpoint.text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    throw VaultError(.usage, "Cannot write the checkpoint to \(out): \(error.localizedDescription)",
                        remedy: "Check that the directory exists and is writable.")
                }
            }
            if json {
                try printJSON([
                    "vault": checkpoint.vault, "sequence": String(checkpoint.sequence), "head": checkpoint.head.hex,
                    "time": checkpoint.time, "text": checkpoint.text,
                ])
            } else {
                // Line by line: the time comes from a chain entry a key holder signed.
                for line in checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    print(TerminalText.escaped(line))
                }
            }
            context.outcome = "ok: sequence \(checkpoint.sequence) head \(checkpoint.head.hex)"
        }
    }
}
