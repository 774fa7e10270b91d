import ArgumentParser
import Foundation
import VaultCore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up a directory, a vendor zip or a file; prints the snapshot id.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "A writer key file; without it the owner passphrase is used.")
    var key: String?

    @Option(help: "A label for the snapshot, e.g. the export month.")
    var label: String = ""

    @Option(help: "The stable name of the exported system (e.g. salesforce-prod), for verify's month-by-month coverage.")
    var source: String?

    @Flag(help: "Print the result as JSON.") var json = false

    @Argument(help: "The export: a directory, a zip, or a file.", completion: .file())
    var path: String

    func run() throws {
        try audited("backup", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let keys = try passphrase.keys(for: opened, writerKeyFile: key)
            context.keys = keys
            let started = Date()
            let result = try opened.backup(URL(fileURLWithPath: path), keys: keys, label: label, origin: source)
            context.outcome = "ok: snapshot \(result.snapshotID.hex)"
            for skipped in result.skipped { printWarning("left out of the snapshot: \(skipped)") }
            if result.files == 0 {
                printWarning("the export \(path) holds no files; a snapshot of nothing was recorded. Check the export.")
            }
            let seconds = Date().timeIntervalSince(started)
            if json {
                try printJSON(BackupOutput(
                    id: result.snapshotID.hex, files: result.files, bytesIn: result.bytesIn, bytesStored: result.bytesStored,
                    newChunkBytes: result.newChunkBytes, skipped: result.skipped, seconds: seconds))
            } else {
                print("snapshot \(result.snapshotID.hex)")
                FileHandle.standardError.write(Data("""
                    \(result.files) files, \(formatBytes(result.bytesIn)) in, \(formatBytes(result.bytesStored)) newly stored, \
                    \(String(format: "%.1f", seconds)) s

                    """.utf8))
            }
        }
    }
}

struct BackupOutput: Encodable {
    var id: String
    var files: Int
    var bytesIn: Int
    var bytesStored: Int
    /// Uncompressed bytes of chunks the vault did not hold yet.
    var newChunkBytes: Int
    /// Entries left out (names that are not UTF-8), escaped, with the reason.
    var skipped: [String]
    var seconds: Double
}
