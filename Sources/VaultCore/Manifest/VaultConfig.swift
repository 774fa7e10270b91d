/// The signed vault config (docs/FORMAT.md §4.1): identity, owner public keys and engine parameters.
public struct VaultConfig: Codable, Sendable {
    public struct Compression: Codable, Sendable {
        public var algorithm: String
        public var level: Int
    }

    public var version: Int
    public var vault: String
    public var created: String
    public var ownerSigningKey: String
    public var ownerSealingKey: String
    public var ownerKeyFile: String
    public var chunker: ChunkerParameters
    public var compression: Compression
    public var blockTarget: Int
    public var packTarget: Int

    static let path = "config"

    /// Refuses engine parameters that would make a writer produce blocks outside the format's limits (§6).
    func validate() throws {
        try chunker.validate()
        guard blockTarget >= 1, blockTarget - 1 + chunker.maximum <= PackFormat.maximumBlockTarget, packTarget >= 1 else {
            throw VaultError(.vaultDamaged,
                "The vault config has a block target of \(blockTarget) bytes and a pack target of \(packTarget) bytes; a block "
                    + "target plus the largest chunk must stay below \(PackFormat.maximumBlockTarget) bytes (docs/FORMAT.md §6).")
        }
    }

    public var ownerKey: PublicSigningKey? { PublicSigningKey(hex: ownerSigningKey) }
    public var ownerFingerprint: String { ownerKey?.fingerprint ?? "" }
}

/// Tunable settings for a new vault; the defaults are the measured ones (README, "Benchmark").
public struct VaultSettings: Sendable {
    public var chunker = ChunkerParameters.default
    public var compressionLevel = 3
    public var blockTarget = 512 << 10
    public var packTarget = 16 << 20
    public var kdf = PassphraseKDF.moderate

    public init() {}
}
