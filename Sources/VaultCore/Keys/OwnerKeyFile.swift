/// `keys/owner.key`: the owner's secrets encrypted under the passphrase with Argon2id (docs/FORMAT.md §4.2).
struct OwnerKeyFile: Codable {
    struct KDF: Codable {
        var algorithm: String
        var opslimit: UInt64
        var memlimit: UInt64
        var salt: String
    }

    var version: Int
    var vault: String
    var cipher: String
    var kdf: KDF
    var nonce: String
    var signingKey: String
    var sealingKey: String
    var ciphertext: String

    static let path = "keys/owner.key"

    /// Encrypts the owner's secrets under `passphrase`.
    static func create(keys: VaultKeys, vault: String, passphrase: Passphrase, kdf: PassphraseKDF) throws -> OwnerKeyFile {
        let salt = Sodium.randomBytes(16)
        let nonce = Sodium.randomBytes(AEAD.nonceCount)
        var file = OwnerKeyFile(
            version: 1, vault: vault, cipher: "xchacha20poly1305-ietf",
            kdf: KDF(algorithm: "argon2id13", opslimit: kdf.opsLimit, memlimit: kdf.memoryLimit, salt: Hex.encode(salt)),
            nonce: Hex.encode(nonce), signingKey: keys.signing.publicKey.hex, sealingKey: Hex.encode(keys.sealing.publicKey),
            ciphertext: "")
        let key = try kdf.deriveKey(passphrase: passphrase, salt: salt)
        var bundle = keys.ownerSecretBundle()
        defer { Sodium.wipe(&bundle) }
        let associatedData = try file.associatedData()
        let ciphertext = bundle.withUnsafeBytes { AEAD.seal($0, key: key, nonce: nonce, associatedData: associatedData) }
        file.ciphertext = Hex.encode(ciphertext)
        return file
    }

    /// The canonical JSON of this file without its ciphertext: bound to it, so no parameter can be swapped.
    private func associatedData() throws -> [UInt8] {
        var copy = self
        copy.ciphertext = ""
        return try CanonicalJSON.encode(copy)
    }

    /// Decrypts the owner's secrets; a wrong passphrase fails authentication and is reported as such.
    func open(passphrase: Passphrase, vaultLocation: String) throws -> VaultKeys {
        guard version == 1, cipher == "xchacha20poly1305-ietf", kdf.algorithm == "argon2id13" else {
            throw VaultError(.unsupportedVersion, "\(vaultLocation)/\(Self.path) uses a key format this version does not know.",
                remedy: "Use a newer crmvault.")
        }
        guard let salt = Hex.decode(kdf.salt), salt.count == 16, let nonce = Hex.decode(self.nonce),
            let ciphertext = Hex.decode(self.ciphertext), let sealingPublic = Hex.decode(sealingKey), sealingPublic.count == 32,
            kdf.memlimit <= 4 << 30, kdf.opslimit <= 64
        else {
            throw VaultError(.vaultDamaged, "\(vaultLocation)/\(Self.path) is damaged (a field is malformed or out of range).")
        }
        let key = try PassphraseKDF(opsLimit: kdf.opslimit, memoryLimit: kdf.memlimit).deriveKey(passphrase: passphrase, salt: salt)
        guard var bundle = AEAD.open(ciphertext[...], key: key, nonce: nonce[...], associatedData: try associatedData()[...]),
            bundle.count == 192
        else {
            throw VaultError(.wrongPassphrase, "The passphrase does not open the owner key of the vault at \(vaultLocation).",
                remedy: "Check CRMVAULT_PASSPHRASE, --passphrase-file or CRMVAULT_PASSPHRASE_COMMAND, and try again.")
        }
        let secret = SecretBytes(consuming: &bundle)
        let keys = VaultKeys.owner(fromBundle: secret, sealingPublicKey: sealingPublic)
        guard keys.signing.publicKey.hex == signingKey else {
            throw VaultError(.vaultDamaged, "\(vaultLocation)/\(Self.path) holds a signing key that does not match its public key.")
        }
        return keys
    }
}
