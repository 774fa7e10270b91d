import VaultCore

extension VaultOptions {
    /// Opens the vault and the owner's keys (the passphrase), recording both for the audit log: what `replica`,
    /// `drill`, `diff` and `history` need to decrypt snapshots.
    func openWithOwnerKeys(_ passphrase: PassphraseOptions, context: inout AuditContext) throws -> (Vault, VaultKeys) {
        let opened = try open()
        context.vault = opened
        let keys = try passphrase.keys(for: opened, writerKeyFile: nil)
        context.keys = keys
        return (opened, keys)
    }
}
