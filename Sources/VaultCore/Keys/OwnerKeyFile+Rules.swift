/// The rules of docs/FORMAT.md §4.2 for `keys/owner.key`, checked without the passphrase: its shape, and that it holds
/// the config's public keys and vault id.
extension OwnerKeyFile {
    /// Argon2id limits a reader accepts: libsodium's minimums up to 4 GiB of memory and 64 passes.
    static let shape: JSONShape = .object([
        ("version", .version, true),
        ("vault", .hex(bytes: 16), true),
        ("cipher", .oneOf(["xchacha20poly1305-ietf"]), true),
        (
            "kdf",
            .object([
                ("algorithm", .oneOf(["argon2id13"]), true),
                ("opslimit", .integer(1...64), true),
                ("memlimit", .integer(8192...(4 << 30)), true),
                ("salt", .hex(bytes: 16), true),
            ]), true
        ),
        ("nonce", .hex(bytes: 24), true),
        ("signingKey", .hex(bytes: 32), true),
        ("sealingKey", .hex(bytes: 32), true),
        ("ciphertext", .hex(bytes: 192 + 16), true),
    ])

    /// The first rule of §4.2 the file's `bytes` break for the vault of `config`, or nil.
    static func violation(of bytes: [UInt8], config: VaultConfig) -> FormatViolation? {
        guard bytes.last == 0x0a, bytes.firstIndex(of: 0x0a) == bytes.count - 1 else {
            return FormatViolation("§4.2", "is not one line of canonical JSON followed by one `\\n`")
        }
        let body = Array(bytes.dropLast())
        if let violation = CanonicalJSONReader.violation(of: body, shape: shape, section: "§4.2") { return violation }
        guard let file = try? CanonicalJSON.decode(OwnerKeyFile.self, from: body) else {
            return FormatViolation("§4.2", "does not parse")
        }
        if file.vault != config.vault {
            return FormatViolation("§4.2", "`vault` is \(file.vault), not the config's \(config.vault)")
        }
        if file.signingKey != config.ownerSigningKey || file.sealingKey != config.ownerSealingKey {
            return FormatViolation(
                "§4.2", "`signingKey` and `sealingKey` are not the config's `ownerSigningKey` and `ownerSealingKey`")
        }
        return nil
    }
}
