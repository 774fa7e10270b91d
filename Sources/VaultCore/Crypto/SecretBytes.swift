internal import CSodium

/// Secret key material in memory, in its own page-aligned allocation from `sodium_malloc`: guard pages on both
/// sides, excluded from core dumps (`MADV_DONTDUMP`, which fails on memory that is not page-aligned), locked out of
/// swap where the limits allow, and wiped by `sodium_free` when released.
///
/// Immutable once made, so it may be shared between the threads of one backup.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawPointer

    /// Takes ownership of `bytes`, wiping the caller's array.
    init(consuming bytes: inout [UInt8]) {
        _ = sodiumReady
        guard let storage = sodium_malloc(max(bytes.count, 1)) else {
            fatalError("Out of memory for key material (sodium_malloc of \(bytes.count) bytes failed).")
        }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.copyMemory(from: base, byteCount: source.count) }
        }
        buffer = storage
        count = bytes.count
        Sodium.wipe(&bytes)
    }

    /// Fresh random secret of `count` bytes.
    convenience init(randomCount count: Int) {
        var bytes = Sodium.randomBytes(count)
        self.init(consuming: &bytes)
    }

    let count: Int

    deinit { sodium_free(buffer) }  // wipes, unlocks and unmaps

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: buffer, count: count))
    }

    /// A copy of bytes `range`, as a new secret.
    func slice(_ range: Range<Int>) -> SecretBytes {
        var bytes = withUnsafeBytes { Array($0[range]) }
        return SecretBytes(consuming: &bytes)
    }

    /// Hex text of the secret, for writing a key file; the caller must wipe it.
    func hexBytes() -> [UInt8] { withUnsafeBytes { Hex.encodeBytes($0) } }
}
