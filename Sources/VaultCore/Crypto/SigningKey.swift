internal import CSodium

/// An Ed25519 public key: the owner's, or a writer's once the owner authorized it.
public struct PublicSigningKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var hex: String { Hex.encode(bytes) }

    /// SHA-256 of the key, in hex: what `init` prints and auditors pin (docs/FORMAT.md §4.1).
    public var fingerprint: String { SHA256Hasher.hash(bytes).hex }

    /// Checks an Ed25519 signature over `domain + "\n" + message`.
    func isValidSignature(_ signature: [UInt8], over message: [UInt8], domain: String) -> Bool {
        _ = sodiumReady
        guard signature.count == 64 else { return false }
        let signed = Array(domain.utf8) + [0x0a] + message
        return crypto_sign_verify_detached(signature, signed, UInt64(signed.count), bytes) == 0
    }
}

/// An Ed25519 key pair whose secret half is wiped when released.
final class SigningKey: Sendable {
    let secret: SecretBytes
    let publicKey: PublicSigningKey

    /// A new random key pair.
    init() {
        _ = sodiumReady
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var secretBytes = [UInt8](repeating: 0, count: 64)
        crypto_sign_keypair(&publicBytes, &secretBytes)
        secret = SecretBytes(consuming: &secretBytes)
        publicKey = PublicSigningKey(bytes: publicBytes)!
    }

    /// From libsodium's 64-byte secret key (seed followed by public key).
    init(secret: SecretBytes) {
        self.secret = secret
        publicKey = PublicSigningKey(bytes: secret.withUnsafeBytes { Array($0[32..<64]) })!
    }

    func sign(_ message: [UInt8], domain: String) -> [UInt8] {
        let signed = Array(domain.utf8) + [0x0a] + message
        var signature = [UInt8](repeating: 0, count: 64)
        secret.withUnsafeBytes { key in
            _ = crypto_sign_detached(&signature, nil, signed, UInt64(signed.count), key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return signature
    }
}
