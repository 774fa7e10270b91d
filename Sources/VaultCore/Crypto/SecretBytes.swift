internal import CSodium

/// Secret key material in memory that is locked out of swap where possible and wiped when released.
///
/// Immutable once made, so it may be shared between the threads of one backup.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer

    /// Takes ownership of `bytes`, wiping the caller's array.
    init(consuming bytes: inout [UInt8]) {
        _ = sodiumReady
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        buffer = storage
        count = bytes.count
        _ = sodium_mlock(buffer.baseAddress!, buffer.count)
        Sodium.wipe(&bytes)
    }

    /// Fresh random secret of `count` bytes.
    convenience init(randomCount count: Int) {
        var bytes = Sodium.randomBytes(count)
        self.init(consuming: &bytes)
    }

    let count: Int

    deinit {
        sodium_memzero(buffer.baseAddress!, buffer.count)
        _ = sodium_munlock(buffer.baseAddress!, buffer.count)
        buffer.deallocate()
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// A copy of bytes `range`, as a new secret.
    func slice(_ range: Range<Int>) -> SecretBytes {
        var bytes = withUnsafeBytes { Array($0[range]) }
        return SecretBytes(consuming: &bytes)
    }

    /// Hex text of the secret, for writing a key file; the caller must wipe it.
    func hexBytes() -> [UInt8] { withUnsafeBytes { Hex.encodeBytes($0) } }
}
