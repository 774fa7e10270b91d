internal import CCryptoBoringSSL
internal import CSodium

/// HMAC-SHA-256 (RFC 2104) under one fixed key of at most 64 bytes: the chunk id (docs/FORMAT.md §2, §4.3).
///
/// The two padded-key states (SHA-256 after absorbing key ⊕ ipad, and after key ⊕ opad) are computed once: they are
/// as secret as the key, so they live in one `sodium_malloc` allocation this object owns (locked, wiped and unmapped
/// when it goes) and are never Swift values. Each call copies them into a context on its own stack and wipes that
/// before returning, so concurrent callers share nothing mutable. SHA-256 is BoringSSL's (through swift-crypto),
/// which uses the processor's SHA instructions.
final class HMACSHA256: @unchecked Sendable {
    private static let stateSize = MemoryLayout<SHA256_CTX>.size
    /// `states[0]` is the inner state (key ⊕ ipad absorbed), `states[1]` the outer (key ⊕ opad). Read-only after init.
    private let states: UnsafeMutablePointer<SHA256_CTX>

    init(key: SecretBytes) {
        precondition(key.count <= 64, "HMACSHA256 takes keys of at most one SHA-256 block")
        _ = sodiumReady
        guard let storage = sodium_malloc(2 * MemoryLayout<SHA256_CTX>.stride) else {
            fatalError("Out of memory for key material (sodium_malloc of the HMAC-SHA-256 key states failed).")
        }
        states = storage.bindMemory(to: SHA256_CTX.self, capacity: 2)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { pad in
            key.withUnsafeBytes { key in
                for (index, padByte) in [(0, UInt8(0x36)), (1, UInt8(0x5c))] {
                    pad.initialize(repeating: padByte)
                    for position in 0..<key.count { pad[position] ^= key[position] }
                    CCryptoBoringSSL_SHA256_Init(states + index)
                    CCryptoBoringSSL_SHA256_Update(states + index, pad.baseAddress, 64)
                }
            }
            sodium_memzero(pad.baseAddress, 64)
        }
    }

    deinit { sodium_free(states) }  // wipes, unlocks and unmaps

    /// The 32-byte MAC of `bytes`.
    func authenticate(_ bytes: UnsafeRawBufferPointer) -> Digest {
        // Once per chunk, from several threads: the scratch context and the inner digest live on this call's stack.
        withUnsafeTemporaryAllocation(of: SHA256_CTX.self, capacity: 1) { scratch in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
                let context = scratch.baseAddress!
                let out = digest.baseAddress!
                UnsafeMutableRawPointer(context).copyMemory(from: states, byteCount: Self.stateSize)
                CCryptoBoringSSL_SHA256_Update(context, bytes.baseAddress, bytes.count)
                CCryptoBoringSSL_SHA256_Final(out, context)
                UnsafeMutableRawPointer(context).copyMemory(from: states + 1, byteCount: Self.stateSize)
                CCryptoBoringSSL_SHA256_Update(context, out, 32)
                CCryptoBoringSSL_SHA256_Final(out, context)
                sodium_memzero(context, Self.stateSize)
                return Digest(bytes: UnsafeBufferPointer(digest))!
            }
        }
    }
}
