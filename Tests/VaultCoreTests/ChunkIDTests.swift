import Crypto
import Foundation
import Testing

@testable import VaultCore

/// The chunk id is HMAC-SHA-256 of the chunk's plaintext under the chunk-id key (docs/FORMAT.md §4.3). These tests hold
/// `VaultKeys.chunkID(of:)` (precomputed padded-key states, BoringSSL's SHA-256) to the document's vectors and to
/// swift-crypto's `HMAC<SHA256>` as an independent reference, at lengths around SHA-256's 64-byte blocks.
struct ChunkIDTests {
    static func keys(chunkIDKey: [UInt8]) -> VaultKeys {
        var bytes = chunkIDKey
        return VaultKeys(
            role: .owner, signing: SigningKey(), sealing: SealingKey(), chunkIDKey: SecretBytes(consuming: &bytes),
            fileDigestKey: SecretBytes(randomCount: 32), chunkerKey: SecretBytes(randomCount: 32))
    }

    static let vectorKey = (0..<32).map { UInt8($0) }

    static func seeded(_ count: Int, seed: UInt64) -> [UInt8] { Array(ParallelRestoreTests.bytes(count, seed: seed)) }

    static func id(_ bytes: [UInt8], _ keys: VaultKeys) -> String { bytes.withUnsafeBytes { keys.chunkID(of: $0).hex } }

    static func reference(_ bytes: [UInt8], key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key))
        return Data(code).map { String(format: "%02x", $0) }.joined()
    }

    @Test func matchesTheTestVectorsOfTheFormat() {
        let keys = Self.keys(chunkIDKey: Self.vectorKey)
        #expect(Self.id([], keys) == "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb")
        #expect(Self.id(Array("crmvault".utf8), keys)
            == "55c31d29e1f0409e5d5c4f00284bff7b3e342d741cf4d0991ca1ca043039388d")
        #expect(Self.id([UInt8](repeating: 0x61, count: 100_000), keys)
            == "4f224e91da59a95ebba87f33e88ea4b0c98a3feb91d6195e78e31e71c098329f")
    }

    /// Lengths at, around and across 64-byte block boundaries (the inner hash's padding spills into a second block at
    /// 56 bytes), odd lengths over many blocks, and a chunk of the chunker's maximum size, each under a random key.
    @Test func agreesWithSwiftCryptoHMACAtEveryBlockBoundary() {
        let lengths = [
            1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 191, 1000, 4097, 65_535, 65_537, 262_143,
        ]
        for length in lengths {
            let key = Self.seeded(32, seed: UInt64(1000 + length))
            let bytes = Self.seeded(length, seed: UInt64(length))
            #expect(Self.id(bytes, Self.keys(chunkIDKey: key)) == Self.reference(bytes, key: key), "length \(length)")
        }
    }

    /// The key's states are read-only and every call hashes in its own scratch: ids computed on several threads at once
    /// equal the ones computed one after another.
    @Test func concurrentCallersGetTheSameIds() {
        let keys = Self.keys(chunkIDKey: Self.seeded(32, seed: 29))
        let chunks = (0..<64).map { Self.seeded(1000 + $0 * 997, seed: UInt64(30 + $0)) }
        let serial = chunks.map { Self.id($0, keys) }
        let results = ConcurrentResults(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count * 4) { iteration in
            let index = iteration % chunks.count
            results.set(index, Self.id(chunks[index], keys), agreeing: serial[index])
        }
        #expect(results.mismatches == 0)
        #expect(results.filled == chunks.count)
    }

    @Test func theKeyAndEveryByteChangeTheId() {
        let bytes = Array("Id,Name\n001,Ada\n".utf8)
        var flipped = bytes
        flipped[7] ^= 1
        var otherKey = Self.vectorKey
        otherKey[31] ^= 1
        let keys = Self.keys(chunkIDKey: Self.vectorKey)
        let ids = [
            Self.id(bytes, keys), Self.id(flipped, keys), Self.id(bytes, Self.keys(chunkIDKey: otherKey)),
            SHA256Hasher.hash(bytes).hex,
        ]
        #expect(Set(ids).count == ids.count)
    }
}

/// Ids written by concurrent callers, each checked against the serial result.
private final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String?]
    private(set) var mismatches = 0

    init(count: Int) { ids = Array(repeating: nil, count: count) }

    var filled: Int { lock.withLock { ids.compactMap { $0 }.count } }

    func set(_ index: Int, _ id: String, agreeing expected: String) {
        lock.withLock {
            ids[index] = id
            if id != expected { mismatches += 1 }
        }
    }
}
