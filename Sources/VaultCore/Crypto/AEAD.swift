internal import CSodium

/// XChaCha20-Poly1305 (IETF) with a 32-byte key and a 24-byte random nonce.
enum AEAD {
    static let keyCount = 32
    static let nonceCount = 24
    static let tagCount = 16

    static func seal(_ plaintext: UnsafeRawBufferPointer, key: SecretBytes, nonce: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        _ = sodiumReady
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagCount)
        var written: UInt64 = 0
        key.withUnsafeBytes { key in
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                &ciphertext, &written, plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData, UInt64(associatedData.count), nil, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return ciphertext
    }

    /// Decrypts and authenticates; nil when the ciphertext, nonce, key or associated data do not match.
    static func open(_ ciphertext: ArraySlice<UInt8>, key: SecretBytes, nonce: ArraySlice<UInt8>, associatedData: ArraySlice<UInt8>) -> [UInt8]? {
        _ = sodiumReady
        guard ciphertext.count >= tagCount, nonce.count == nonceCount else { return nil }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count - tagCount)
        var written: UInt64 = 0
        let status = ciphertext.withUnsafeBytes { cipher in
            nonce.withUnsafeBytes { nonce in
                associatedData.withUnsafeBytes { ad in
                    key.withUnsafeBytes { key in
                        crypto_aead_xchacha20poly1305_ietf_decrypt(
                            &plaintext, &written, nil,
                            cipher.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(cipher.count),
                            ad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(ad.count),
                            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self), key.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        guard status == 0 else { return nil }
        return plaintext
    }
}
