/// The key material one process holds for a vault: everything the owner has, or a writer's put-only subset.
public final class VaultKeys: Sendable {
    public enum Role: Sendable, Equatable {
        case owner
        case writer(name: String)
    }

    public let role: Role
    let signing: SigningKey
    /// The owner's sealing key; a writer holds only its public half.
    let sealing: SealingKey
    let chunkIDKey: SecretBytes
    /// HMAC-SHA-256 under `chunkIDKey`, its padded-key states computed once (FORMAT §4.3).
    private let chunkIDMAC: HMACSHA256
    let fileDigestKey: SecretBytes
    let chunkerKey: SecretBytes

    init(role: Role, signing: SigningKey, sealing: SealingKey, chunkIDKey: SecretBytes, fileDigestKey: SecretBytes, chunkerKey: SecretBytes) {
        self.role = role
        self.signing = signing
        self.sealing = sealing
        self.chunkIDKey = chunkIDKey
        self.chunkIDMAC = HMACSHA256(key: chunkIDKey)
        self.fileDigestKey = fileDigestKey
        self.chunkerKey = chunkerKey
    }

    /// Fresh owner keys for a new vault.
    static func generateOwner() -> VaultKeys {
        VaultKeys(
            role: .owner, signing: SigningKey(), sealing: SealingKey(), chunkIDKey: SecretBytes(randomCount: 32),
            fileDigestKey: SecretBytes(randomCount: 32), chunkerKey: SecretBytes(randomCount: 32))
    }

    /// True when these keys can open data (only the owner's can).
    public var canRead: Bool { sealing.canOpen }
    public var signingPublicKey: PublicSigningKey { signing.publicKey }

    /// The chunk id of a chunk's plaintext: HMAC-SHA-256 under the chunk-id key (docs/FORMAT.md §4.3).
    func chunkID(of bytes: UnsafeRawBufferPointer) -> Digest { chunkIDMAC.authenticate(bytes) }

    /// The 192-byte secret bundle of docs/FORMAT.md §4.2; the caller wipes it.
    func ownerSecretBundle() -> [UInt8] {
        var bundle = [UInt8]()
        for secret in [signing.secret, sealing.secret!, chunkIDKey, fileDigestKey, chunkerKey] {
            secret.withUnsafeBytes { bundle.append(contentsOf: $0) }
        }
        return bundle
    }

    static func owner(fromBundle bundle: SecretBytes, sealingPublicKey: [UInt8]) -> VaultKeys {
        VaultKeys(
            role: .owner, signing: SigningKey(secret: bundle.slice(0..<64)),
            sealing: SealingKey(publicKey: sealingPublicKey, secret: bundle.slice(64..<96)),
            chunkIDKey: bundle.slice(96..<128), fileDigestKey: bundle.slice(128..<160), chunkerKey: bundle.slice(160..<192))
    }
}
