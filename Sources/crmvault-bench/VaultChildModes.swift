import Foundation
import VaultCore

/// Child-process modes that make exactly the library calls `crmvault init`, `backup` and `restore` make (open the
/// vault, derive the owner key from CRMVAULT_PASSPHRASE with the vault's Argon2id setting, back up or restore),
/// without the command line's audit log: timed as whole processes when the `crmvault` executable (which links the
/// network stack) has no release build at hand.
///
///     crmvault-bench --vault-init VAULT                 # default settings (Argon2id MODERATE)
///     crmvault-bench --vault-backup VAULT DIRECTORY
///     crmvault-bench --vault-restore VAULT TARGET       # the latest snapshot, into an empty TARGET
enum VaultChildModes {
    static func passphrase() throws -> Passphrase {
        guard let text = ProcessInfo.processInfo.environment["CRMVAULT_PASSPHRASE"], !text.isEmpty else {
            throw BenchError("set CRMVAULT_PASSPHRASE")
        }
        return Passphrase(text)
    }

    static func initialize(_ vault: String) throws {
        _ = try Vault.create(at: URL(fileURLWithPath: vault), passphrase: try passphrase(), settings: VaultSettings())
    }

    static func backup(_ vault: String, _ directory: String) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        let keys = try opened.unlock(passphrase: try passphrase())
        let result = try opened.backup(URL(fileURLWithPath: directory), keys: keys)
        print("backed up \(result.files) files, \(result.bytesIn) bytes, \(result.bytesStored) stored")
    }

    static func restore(_ vault: String, _ target: String) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        let keys = try opened.unlock(passphrase: try passphrase())
        let entry = try opened.resolveSnapshot("latest", in: try opened.loadChain())
        let report = try opened.restore(entry, to: URL(fileURLWithPath: target), keys: keys)
        guard report.failures.isEmpty else { throw BenchError("restore failed: \(report.failures)") }
        print("restored \(report.filesRestored) files, \(report.bytesRestored) bytes")
    }
}
