import ArgumentParser
import Definitions
import Foundation
import VaultCore

/// `--vault DIR` (or a name defined in `Vaults/NAME.toml`), shared by every command that works on a vault.
struct VaultOptions: ParsableArguments {
    @Option(name: .long, help: "The vault directory, or the name of a definition in Vaults/NAME.toml.", completion: .directory)
    var vault: String

    /// Where vault definitions live: `CRMVAULT_VAULTS` when set, else `Vaults/` in the current directory.
    static var vaultsDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["CRMVAULT_VAULTS"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Vaults")
    }

    /// A path, or a name defined in the vaults directory.
    static func resolve(_ value: String) -> URL {
        (try? VaultDefinition.resolve(value, vaultsDirectory: vaultsDirectory)) ?? URL(fileURLWithPath: value)
    }

    /// A broken `Vaults/NAME.toml` is a usage error, reported before anything runs.
    func validate() throws {
        do { _ = try VaultDefinition.resolve(vault, vaultsDirectory: Self.vaultsDirectory) } catch let error as DefinitionError {
            throw ValidationError(error.description)
        }
    }

    var url: URL { Self.resolve(vault) }

    func open() throws -> Vault { try Vault.open(at: url) }
}

/// Where the owner passphrase comes from; never from a command-line argument (it would show in `ps`).
struct PassphraseOptions: ParsableArguments {
    @Option(name: .long, help: "Read the owner passphrase from this file (first line; must be readable only by you).")
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
