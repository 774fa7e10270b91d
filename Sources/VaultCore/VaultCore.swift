/// VaultCore: the crmvault vault format and engine.
///
/// The nouns, as defined in docs/FORMAT.md:
/// - **Vault**: a directory on offline media holding a signed config, the owner's key file, the chain,
///   snapshot manifests, packs and their indexes.
/// - **Chunk**: a piece of an export file cut by the ``ContentDefinedChunker``, named by its keyed ``ChunkID``.
/// - **Block**: a run of chunks compressed (zstd) and encrypted (XChaCha20-Poly1305) together.
/// - **Pack**: a file of blocks, named by the SHA-256 of its bytes (``PackName``).
/// - **Index**: where each chunk lives in its pack (``PackIndex``), derivable from the pack alone.
/// - **Snapshot manifest**: files, metadata and chunk ids of one backup (``SnapshotManifest``).
/// - **Chain**: the signed, hash-linked list of everything that changed the vault (``ChainEntry``).
/// - **Owner / writer**: the two key roles (``OwnerKeys``, ``WriterKey``); an auditor holds no secret.
public enum VaultFormat {
    /// The only vault format version this build writes; it reads it too.
    public static let version = 1
    /// This build of crmvault (`crmvault --version`, and the auditor's report).
    public static let softwareVersion = "0.1.0"
}
