import ArgumentParser
import Definitions
import Foundation
import VaultCore

/// `--vault DIR` (or a name defined in `Vaults/NAME.toml`), shared by every command that works on a vault; without it,
/// `CRMVAULT_VAULT` (as restic reads `RESTIC_REPOSITORY`).
struct VaultOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The vault directory, or a name defined in Vaults/NAME.toml; $CRMVAULT_VAULT when not given.",
            valueName: "dir-or-name"),
        completion: .directory)
    var vault: String?

    /// Where vault definitions live: `CRMVAULT_VAULTS` when set, else `Vaults/` in the current directory.
    static var vaultsDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["CRMVAULT_VAULTS"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Vaults")
    }

    /// How `vaultsDirectory` was chosen, for the message that says where a name was looked up.
    static var vaultsDirectoryOrigin: String {
        let variable = ProcessInfo.processInfo.environment["CRMVAULT_VAULTS"] ?? ""
        return variable.isEmpty ? "Vaults/ in the current directory (set CRMVAULT_VAULTS to look elsewhere)" : "$CRMVAULT_VAULTS"
    }

    /// What was given: `--vault`, else `CRMVAULT_VAULT`.
    var given: String? {
        vault ?? ProcessInfo.processInfo.environment["CRMVAULT_VAULT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A path, or a name defined in the vaults directory.
    static func resolve(_ value: String) throws -> URL {
        do {
            return try VaultDefinition.resolve(value, vaultsDirectory: vaultsDirectory, searched: vaultsDirectoryOrigin)
        } catch let error as DefinitionError {
            throw ValidationError(error.description)
        }
    }

    /// No vault at all, an unknown name or a broken `Vaults/NAME.toml` is a usage error, reported before anything runs.
    func validate() throws {
        guard let given else {
            throw ValidationError("Give the vault with --vault DIR (or a name from Vaults/NAME.toml), or set CRMVAULT_VAULT.")
        }
        _ = try Self.resolve(given)
    }

    /// What the audit log and messages call the vault: what the user gave.
    var name: String { given ?? "-" }

    var url: URL { given.flatMap { try? Self.resolve($0) } ?? URL(fileURLWithPath: name) }

    func open() throws -> Vault { try Vault.open(at: url) }
}

/// Where the owner passphrase comes from; never from a command-line argument (it would show in `ps`).
struct PassphraseOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read the owner passphrase from this file (its first line; it must be readable only by you). Without it: "
                + "$CRMVAULT_PASSPHRASE, else the output of $CRMVAULT_PASSPHRASE_COMMAND, else a prompt on a terminal.",
            valueName: "file"))
    var passphraseFile: String?

    /// Finds the passphrase: --passphrase-file, CRMVAULT_PASSPHRASE, CRMVAULT_PASSPHRASE_COMMAND, or a prompt.
    /// Every keyed command comes through here first: the process is made non-dumpable before any secret is read.
    func passphrase(confirming: Bool = false) throws -> Passphrase {
        ProcessHardening.protectSecrets()
        return try PassphraseSource.read(file: passphraseFile, confirming: confirming)
    }

    /// The writer key in `writerKeyFile` when one is given, else the owner's keys opened with the passphrase.
    func keys(for vault: Vault, writerKeyFile: String?) throws -> VaultKeys {
        ProcessHardening.protectSecrets()
        if let writerKeyFile { return try vault.loadWriterKey(from: URL(fileURLWithPath: writerKeyFile)) }
        return try vault.unlock(passphrase: try passphrase())
    }
}
