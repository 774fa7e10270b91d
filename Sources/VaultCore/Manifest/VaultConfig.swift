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
