import ArgumentParser
import Foundation
import Reader
import VaultCore

struct ReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader",
        abstract: "Copy the standalone crmvault, its SHA-256, FORMAT.md and RESTORE.txt beside a vault on its medium.",
        discussion: """
            For the worst case: the medium, the passphrase and a bare machine. The reader directory \
            (crmvault-reader/, a sibling of the vault directory unless --to says otherwise) gets a crmvault that needs \
            no Swift toolchain (build it with scripts/build-static.sh; this command refuses a binary that needs one), \
            crmvault.sha256 for `sha256sum -c`, FORMAT.md and a one-page RESTORE.txt. It replaces only an earlier \
            reader. `crmvault verify` checks the reader's SHA-256 when one is beside the vault.
            """)

    @Option(help: ArgumentHelp(
        "The vault the reader goes beside (a directory or a name from Vaults/NAME.toml; $CRMVAULT_VAULT when not given).",
        valueName: "dir-or-name"))
    var vault: String?

    @Option(help: ArgumentHelp("The reader directory (default: crmvault-reader beside the vault).", valueName: "dir"))
    var to: String?

    @Option(help: ArgumentHelp("The standalone crmvault to copy (default: this one).", valueName: "file"))
    var binary: String?

    @Option(help: ArgumentHelp("The FORMAT.md to copy (default: the one beside the binary or in its source tree).", valueName: "file"))
    var formatDoc: String?

    @OptionGroup var output: OutputOptions

    var vaultGiven: String? { vault ?? ProcessInfo.processInfo.environment["CRMVAULT_VAULT"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        if to == nil && vaultGiven == nil { throw ValidationError("Give --to DIR, or --vault DIR to put the reader beside that vault.") }
    }

    func run() throws {
        try audited("reader", vaultPath: vaultGiven) { context in
            let opened = try vaultGiven.map { try Vault.open(at: try VaultOptions.resolve($0)) }
            context.vault = opened
            let source = try ReaderSource.standalone(binary: binary.map(URL.init(fileURLWithPath:)),
                formatDocument: formatDoc.map(URL.init(fileURLWithPath:)))
            let written = try source.write(to: to.map(URL.init(fileURLWithPath:)), beside: opened)
            context.outcome = "ok: reader \(written.sha256) in \(written.directory)"
            if output.json {
                try printJSON(written)
            } else {
                Self.describe(written, output: output)
            }
        }
    }

    static func describe(_ written: ReaderBundle.Written, output: OutputOptions) {
        output.say("Wrote the reader to \(TerminalText.escaped(written.directory)): \(written.files.joined(separator: ", ")) "
            + "(\(formatBytes(written.binaryBytes)) binary).")
        output.say("Reader SHA-256 (note it with the owner fingerprint; `sha256sum -c crmvault.sha256` checks it):")
        output.say("  \(written.sha256)")
    }
}

/// Where a reader comes from: a standalone binary and the FORMAT.md to put beside it.
struct ReaderSource {
    var binary: URL
    var formatDocument: URL

    /// Checks the binary (this one unless given) is standalone and finds FORMAT.md, before anything is written.
    static func standalone(binary: URL? = nil, formatDocument: URL? = nil) throws -> ReaderSource {
        let binary = binary ?? ReaderBundle.runningBinary
        try ReaderBundle.requireStandalone(binary)
        return ReaderSource(binary: binary, formatDocument: try ReaderBundle.formatDocument(given: formatDocument, binary: binary))
    }

    func write(besideVault vault: Vault) throws -> ReaderBundle.Written {
        try write(to: nil, beside: vault)
    }

    /// Writes into `directory`, or beside `vault`; RESTORE.txt names the vault as seen from the reader directory.
    func write(to directory: URL?, beside vault: Vault?) throws -> ReaderBundle.Written {
        let vaultURL = vault.map { URL(fileURLWithPath: $0.location) }
        let target = directory ?? ReaderBundle.directory(besideVault: vaultURL!)
        let isSibling = vaultURL.map { $0.deletingLastPathComponent().standardizedFileURL == target.standardizedFileURL.deletingLastPathComponent() }
        let guide = RestoreGuide.text(
            vault: isSibling == true ? "../" + vaultURL!.lastPathComponent : vaultURL?.path ?? "VAULT", vaultID: vault?.id,
            ownerFingerprint: vault?.ownerFingerprint, version: VaultFormat.softwareVersion)
        return try ReaderBundle.write(binary: binary, formatDocument: formatDocument, guide: guide, to: target)
    }
}
