import ArgumentParser
import Foundation
import VaultCore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a directory, a vendor zip or a file; prints the snapshot id.",
        discussion: """
            The input is checked before anything is written: a file named .zip must be a zip, an export must hold \
            at least one file with data (unless --allow-empty), and with --kind crm-export (the default when --source \
            is given) at least one CSV file must start with a header row. A refused input exits 1. The backup also \
            reuses or removes the leftovers of interrupted backups.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("A writer key file; without it the owner passphrase is used.", valueName: "file"))
    var key: String?

    @Option(help: "A label for the snapshot, e.g. the export month (2026-11); restore and verify use it.")
    var label: String = ""

    @Option(help: ArgumentHelp("The stable name of the exported system (salesforce-prod), for restore --source and verify's coverage.",
        valueName: "name"))
    var source: String?

    @Option(help: ArgumentHelp("What the input must look like: crm-export or any. Default: crm-export with --source, else any.",
        valueName: "kind"))
    var kind: String?

    @Flag(help: "Record a snapshot even when the export holds no file with data.") var allowEmpty = false

    @Argument(help: "The export: a directory, a zip, or a file.", completion: .file())
    var path: String

    func validate() throws {
        if let kind, ExportKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be crm-export or any, not \"\(kind)\".")
        }
    }

    func run() throws {
        try audited("backup", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let keys = try passphrase.keys(for: opened, writerKeyFile: key)
            context.keys = keys
            let started = Date()
            let expectations = ExportExpectations(
                kind: kind.flatMap(ExportKind.init(rawValue:)) ?? (source == nil ? .any : .crmExport), allowsEmpty: allowEmpty)
            let meter = output.progressMeter()
            defer { meter?.finish() }
            let result = try opened.backup(
                URL(fileURLWithPath: path), keys: keys, label: label, origin: source, expectations: expectations,
                progress: meter?.handler)
            meter?.finish()
            context.outcome = "ok: snapshot \(result.snapshotID.hex)"
            for skipped in result.skipped { printWarning("left out of the snapshot: \(skipped)") }
            let seconds = Date().timeIntervalSince(started)
            if output.json {
                try printJSON(BackupOutput(
                    id: result.snapshotID.hex, sequence: result.sequence, label: label, source: source ?? "default",
                    files: result.files, bytesIn: result.bytesIn, bytesStored: result.bytesStored,
                    newChunkBytes: result.newChunkBytes, leftoversRemoved: result.leftovers.removed.count,
                    leftoverBytesFreed: result.leftovers.bytesFreed, skipped: result.skipped, seconds: seconds))
                return
            }
            output.say("snapshot \(result.snapshotID.hex)")
            guard output.isTalking else { return }
            FileHandle.standardError.write(Data("""
                \(counted(result.files, "file")), \(formatBytes(result.bytesIn)) in, \(formatBytes(result.bytesStored)) newly \
                stored, \(String(format: "%.1f", seconds)) s

                """.utf8))
            if !result.leftovers.removed.isEmpty {
                FileHandle.standardError.write(Data((
                    "Removed \(counted(result.leftovers.removed.count, "leftover file")) of interrupted backups "
                        + "(\(formatBytes(result.leftovers.bytesFreed)) freed).\n").utf8))
            }
        }
    }
}

struct BackupOutput: Encodable {
    var id: String
    var sequence: Int
    var label: String
    var source: String
    var files: Int
    var bytesIn: Int
    var bytesStored: Int
    /// Uncompressed bytes of chunks the vault did not hold yet.
    var newChunkBytes: Int
    var leftoversRemoved: Int
    var leftoverBytesFreed: Int64
    /// Entries left out (names that are not UTF-8), escaped, with the reason.
    var skipped: [String]
    var seconds: Double
}
