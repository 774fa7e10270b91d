internal import CSodium

/// The owner's X25519 key pair: anyone with the public half can seal a data key to the owner
/// (`crypto_box_seal`); only the owner's secret half opens it. This is what makes writers put-only.
final class SealingKey: Sendable {
    static let sealOverhead = 48

    let publicKey: [UInt8]
    let secret: SecretBytes?

    /// A new random key pair.
    init() {
        _ = sodiumReady
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var secretBytes = [UInt8](repeating: 0, count: 32)
        crypto_box_keypair(&publicBytes, &secretBytes)
        publicKey = publicBytes
        secret = SecretBytes(consuming: &secretBytes)
    }

    /// The public half alone: can seal, cannot open.
    init(publicKey: [UInt8]) {
        self.publicKey = publicKey
        secret = nil
    }

    init(publicKey: [UInt8], secret: SecretBytes) {
        self.publicKey = publicKey
        self.secret = secret
    }

    var canOpen: Bool { secret != nil }

    func seal(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        _ = sodiumReady
        var sealed = [UInt8](repeating: 0, count: message.count + Self.sealOverhead)
        _ = crypto_box_seal(&sealed, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count), publicKey)
        return sealed
    }

    /// Opens a sealed box; nil if it was not sealed to this key or was altered.
    func open(_ sealed: ArraySlice<UInt8>) -> SecretBytes? {
        guard let secret, sealed.count >= Self.sealOverhead else { return nil }
        var message = [UInt8](repeating: 0, count: sealed.count - Self.sealOverhead)
        let status = sealed.withUnsafeBytes { sealed in
            secret.withUnsafeBytes { secret in
                crypto_box_seal_open(
                    &message, sealed.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(sealed.count), publicKey,
                    secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard status == 0 else { return nil }
        return SecretBytes(consuming: &message)
    }
}
