internal import CSodium

/// Argon2id parameters recorded in the owner key file (docs/FORMAT.md §4.2).
public struct PassphraseKDF: Sendable, Equatable {
    public var opsLimit: UInt64
    public var memoryLimit: UInt64

    /// libsodium's MODERATE limits: the default for new vaults.
    public static var moderate: PassphraseKDF {
        PassphraseKDF(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_MODERATE), memoryLimit: UInt64(crypto_pwhash_MEMLIMIT_MODERATE))
    }
    public static var interactive: PassphraseKDF {
        PassphraseKDF(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE), memoryLimit: UInt64(crypto_pwhash_MEMLIMIT_INTERACTIVE))
    }
    public static var sensitive: PassphraseKDF {
        PassphraseKDF(opsLimit: UInt64(crypto_pwhash_OPSLIMIT_SENSITIVE), memoryLimit: UInt64(crypto_pwhash_MEMLIMIT_SENSITIVE))
    }
    /// Argon2id's minimum: for tests only, never for a real vault.
    public static var insecureForTestsOnly: PassphraseKDF { PassphraseKDF(opsLimit: 1, memoryLimit: 8192) }

    /// Derives the 32-byte key that encrypts the owner's secrets.
    func deriveKey(passphrase: Passphrase, salt: [UInt8]) throws -> SecretBytes {
        _ = sodiumReady
        var key = [UInt8](repeating: 0, count: 32)
        let status = passphrase.withUnsafeBytes { phrase in
            crypto_pwhash(
                &key, 32, phrase.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(phrase.count), salt,
                opsLimit, Int(memoryLimit), crypto_pwhash_ALG_ARGON2ID13)
        }
        guard status == 0 else {
            throw VaultError(.cryptoFailed, "Argon2id could not derive the key (out of memory for \(memoryLimit) bytes?).")
        }
        return SecretBytes(consuming: &key)
    }
}

/// The owner's passphrase, held only as long as needed and wiped on release. Never printed.
public final class Passphrase: Sendable, CustomStringConvertible {
    private let secret: SecretBytes

    public init(_ text: String) {
        var bytes = Array(text.utf8)
        secret = SecretBytes(consuming: &bytes)
    }

    public init(bytes: inout [UInt8]) { secret = SecretBytes(consuming: &bytes) }

    public var isEmpty: Bool { secret.count == 0 }
    /// The number of characters (Unicode scalars) in the passphrase, counted without copying it out.
    public var characterCount: Int { secret.withUnsafeBytes { bytes in bytes.count { $0 & 0xc0 != 0x80 } } }
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try secret.withUnsafeBytes(body) }
    public var description: String { "<passphrase redacted>" }
}
