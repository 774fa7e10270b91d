import ArgumentParser
import Foundation
import VaultCore

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the chain head (vault id, sequence, head hash, time) for an auditor to keep.",
        discussion: """
            Keep the output on paper or another medium. Later, `crmvault verify --checkpoint FILE` proves the chain \
            still extends it: a vault rolled back to an older copy, a truncated chain or a forked history fails. \
            --out never replaces a file that is not a crmvault checkpoint.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Flag(help: "Sign the checkpoint with the owner key (needs the owner passphrase).") var sign = false
    @Option(help: ArgumentHelp("Also write the checkpoint to this file.", valueName: "file")) var out: String?

    func run() throws {
        try audited("checkpoint", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            if let out { try Self.requireReplaceable(out) }
            let owner = sign ? try opened.unlock(passphrase: try passphrase.passphrase()) : nil
            context.keys = owner
            let checkpoint = try opened.checkpoint(owner: owner)
            if let out {
                do { try checkpoint.text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    throw VaultError(.usage, "Cannot write the checkpoint to \(out): \(error.localizedDescription)",
                        remedy: "Check that the directory exists and is writable.")
                }
            }
            context.outcome = "ok: sequence \(checkpoint.sequence) head \(checkpoint.head.hex)"
            if output.json {
                try printJSON(CheckpointOutput(
                    vault: checkpoint.vault, sequence: checkpoint.sequence, head: checkpoint.head.hex, time: checkpoint.time,
                    isSigned: sign, text: checkpoint.text))
            } else if output.isTalking {
                // Line by line: the time comes from a chain entry a key holder signed.
                for line in checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    print(TerminalText.escaped(line))
                }
            }
        }
    }

    /// `--out` may replace an earlier checkpoint, never another file (a command replaces only what crmvault made).
    static func requireReplaceable(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let head = FileHandle(forReadingAtPath: path).flatMap { handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 64)
        }
        guard let head, String(decoding: head, as: UTF8.self).hasPrefix("crmvault checkpoint v1\n") else {
            throw VaultError(.usage, "\(path) exists and is not a crmvault checkpoint; it is not replaced.",
                remedy: "Give --out a new file name, or an earlier checkpoint to replace.")
        }
    }
}

struct CheckpointOutput: Encodable {
    var vault: String
    var sequence: Int
    var head: String
    var time: String
    var isSigned: Bool
    var text: String
}
