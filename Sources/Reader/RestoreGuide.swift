/// `RESTORE.txt`: the one page an operator reads on a bare machine with the medium in hand. `{{SHA256}}` is replaced
/// by the reader's checksum when it is written.
public enum RestoreGuide {
    /// The first line of every guide crmvault writes: how a later `reader` knows the directory is one it made.
    public static let firstLine = "crmvault reader: restoring this vault on a bare machine"

    /// `vault` is the vault's path as seen from the reader directory (`../crm` for the usual sibling).
    public static func text(vault: String, vaultID: String?, ownerFingerprint: String?, version: String) -> String {
        """
            \(firstLine)
            ================================================================================
            This directory holds crmvault \(version), built to run on any 64-bit Linux (Debian,
            Ubuntu) without installing anything, next to the vault \(vault).
            \(vaultID.map { "Vault id:          \($0)\n" } ?? "")\(ownerFingerprint.map { "Owner fingerprint: \($0)\n" } ?? "")\
            Reader SHA-256:    {{SHA256}}

            1. Copy this directory and the vault to a machine you trust, or work on the medium.
               Check the reader before you give it the passphrase:
                   cd crmvault-reader && sha256sum -c crmvault.sha256
               and compare the SHA-256 above with the one you noted when the medium was made.

            2. Check the vault (no passphrase needed; exit code 0 means intact):
                   ./crmvault verify --vault \(vault) --trust <owner fingerprint you pinned>

            3. List the snapshots and restore one (needs the owner passphrase):
                   ./crmvault snapshots --vault \(vault)
                   ./crmvault restore --vault \(vault) --source <source> latest --to /srv/restore/crm
                   ./crmvault restore --vault \(vault) 2026-11 --to /srv/restore/crm-2026-11
               The passphrase is asked for on the terminal, or read from CRMVAULT_PASSPHRASE,
               CRMVAULT_PASSPHRASE_COMMAND or --passphrase-file FILE (readable only by you).
               Files come back byte for byte with their modes and times; every chunk is checked.

            4. Prove every byte can be read (decrypts everything):
                   ./crmvault verify --vault \(vault) --deep

            Exit codes: 0 ok, 1 integrity problem, 2 usage (wrong passphrase, no vault),
            4 vault busy, 5 disk full or medium missing. `./crmvault --help` lists the commands.
            FORMAT.md in this directory describes the vault byte for byte, enough to write
            another reader.

            """
    }
}
