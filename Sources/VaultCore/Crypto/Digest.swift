internal import CSodium
import Crypto

/// A 32-byte hash or keyed hash value: chunk ids, pack names, snapshot ids, chain entry hashes.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 bytes, as two 16-byte halves so the value is cheap to copy, hash and compare.
    let high: (UInt64, UInt64)
    let low: (UInt64, UInt64)

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        // Called once per chunk: read big-endian words without an intermediate array.
        let loaded = bytes.withContiguousStorageIfAvailable { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            return (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
        if let loaded {
            high = (UInt64(bigEndian: loaded.0), UInt64(bigEndian: loaded.1))
            low = (UInt64(bigEndian: loaded.2), UInt64(bigEndian: loaded.3))
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            switch index / 8 {
            case 0: words.0 = words.0 << 8 | UInt64(byte)
            case 1: words.1 = words.1 << 8 | UInt64(byte)
            case 2: words.2 = words.2 << 8 | UInt64(byte)
            default: words.3 = words.3 << 8 | UInt64(byte)
            }
            index += 1
        }
        high = (words.0, words.1)
        low = (words.2, words.3)
    }

    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The 32 bytes, without allocating.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: (high.0.bigEndian, high.1.bigEndian, low.0.bigEndian, low.1.bigEndian), body)
    }

    /// The first 8 bytes, read big-endian: what a short chunk reference holds (docs/FORMAT.md §8).
    var firstWord: UInt64 { high.0 }

    public var hex: String { withUnsafeBytes { Hex.encode($0) } }
    /// The first 12 hex digits, for display; commands accept any unique prefix.
    public var shortForm: String { String(hex.prefix(12)) }
    public var description: String { hex }

    public static func == (a: Digest, b: Digest) -> Bool { a.high == b.high && a.low == b.low }
    /// All 32 bytes: ids come from vault files, and a writer-key holder may choose them, so ids made to share some of
    /// their words must not share a bucket (a table of them would degrade to a list: restore and backup would crawl).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high.0)
        hasher.combine(high.1)
        hasher.combine(low.0)
        hasher.combine(low.1)
    }
    public static func < (a: Digest, b: Digest) -> Bool {
        (a.high.0, a.high.1, a.low.0, a.low.1) < (b.high.0, b.high.1, b.low.0, b.low.1)
    }

    public static let zero = Digest(bytes: [UInt8](repeating: 0, count: 32))!
}

/// Streaming SHA-256, the keyless hash of packs, manifests and chain entries.
///
/// The one primitive not taken from libsodium: libsodium's portable SHA-256 ran at ~400 MB/s here, while
/// swift-crypto (BoringSSL) uses the CPU's SHA extensions at ~2 GB/s, and keyless verify is mostly SHA-256
/// over every pack (README, "Benchmark").
struct SHA256Hasher {
    private var hasher = Crypto.SHA256()

    mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    mutating func finalize() -> Digest { Digest(bytes: Array(hasher.finalize()))! }

    static func hash(_ bytes: [UInt8]) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

/// Streaming keyed BLAKE2b-256 (libsodium `crypto_generichash`): file digests and drill digests (chunk ids are
/// HMAC-SHA-256, `HMACSHA256`).
///
/// libsodium's state is 64-byte aligned, which Swift cannot import as a value, so it lives in its own allocation.
final class KeyedHasher {
    private let state: UnsafeMutableRawPointer

    init(key: SecretBytes) {
        _ = sodiumReady
        state = .allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        key.withUnsafeBytes { key in
            _ = crypto_generichash_init(
                OpaquePointer(state), key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count, 32)
        }
    }

    deinit {
        sodium_memzero(state, crypto_generichash_statebytes())
        state.deallocate()
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        crypto_generichash_update(OpaquePointer(state), base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        crypto_generichash_final(OpaquePointer(state), &out, 32)
        return Digest(bytes: out)!
    }

    /// One-shot keyed hash of `bytes`.
    static func hash(_ bytes: UnsafeRawBufferPointer, key: SecretBytes) -> Digest {
        // Once per chunk: the output lives on the stack, not in an array.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out in
            key.withUnsafeBytes { key in
                _ = crypto_generichash(
                    out.baseAddress!, 32, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count),
                    key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count)
            }
            return Digest(bytes: out)!
        }
    }
}
