import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Restore decompresses blocks into buffers that earlier blocks released (`PlainBlockPool`) and reads consecutive
/// chunks of one block without the cache's lookup. These tests pin that a reused buffer never shows an earlier
/// block's bytes, that the pool stays bounded, and that chunks read in any order from a one-block cache whose
/// buffers are reused all come back checked and byte-exact.
struct RestoreBlockPoolTests {
    static func frame(_ plain: [UInt8]) throws -> [UInt8] { try OverlappedUnlockRestoreTests.frame(plain) }

    @Test func aReleasedBlockLeavesItsBufferToTheNextBlock() throws {
        let pool = PlainBlockPool(capacity: 64 << 10, limit: 2)
        let decompressor = ZstdDecompressor()
        let first = OverlappedUnlockRestoreTests.text(40 << 10, seed: 1)
        let second = OverlappedUnlockRestoreTests.text(30 << 10, seed: 2)
        var block = decompressor.decompress(try Self.frame(first), expectedSize: first.count, pool: pool)
        let address = block?.bytes.baseAddress
        #expect(block.map { Array($0.bytes) } == first)
        #expect(pool.freeCount == 0)
        block = nil
        #expect(pool.freeCount == 1, "the released block's buffer waits in the pool")
        let next = try #require(decompressor.decompress(try Self.frame(second), expectedSize: second.count, pool: pool))
        #expect(next.bytes.baseAddress == address, "the next block reuses it")
        #expect(next.count == second.count)
        #expect(Array(next.bytes) == second, "with only its own bytes in view")
        #expect(pool.freeCount == 0)
    }

    @Test func aBlockLargerThanThePoolGetsItsOwnBufferAndThePoolKeepsAtMostItsLimit() throws {
        let pool = PlainBlockPool(capacity: 16 << 10, limit: 2)
        let decompressor = ZstdDecompressor()
        let large = OverlappedUnlockRestoreTests.text(20 << 10, seed: 3)
        var big = decompressor.decompress(try Self.frame(large), expectedSize: large.count, pool: pool)
        #expect(big.map { Array($0.bytes) } == large)
        big = nil
        #expect(pool.freeCount == 0, "a block over the pool's capacity is freed, not kept")
        let small = OverlappedUnlockRestoreTests.text(10 << 10, seed: 4)
        let frame = try Self.frame(small)
        var blocks: [PlainBlock] = []
        for _ in 0..<3 {
            blocks.append(try #require(decompressor.decompress(frame, expectedSize: small.count, pool: pool)))
        }
        #expect(blocks.allSatisfy { Array($0.bytes) == small })
        blocks = []
        #expect(pool.freeCount == 2, "three released, two kept")
        // A malformed frame takes no buffer for good: it goes back when the failed block is dropped.
        #expect(decompressor.decompress(Array(frame.dropLast()), expectedSize: small.count, pool: pool) == nil)
        #expect(pool.freeCount == 2)
    }

    /// Small blocks, a cache of about one block and a pool of one buffer: every chunk of three files, read
    /// interleaved (first, last, second, second to last, …) and then in order, so that the block changes at almost
    /// every read, blocks are evicted and decompressed again into each other's buffers. Each must pass its id check
    /// and give back the file's own bytes.
    @Test func chunksReadInAnyOrderFromReusedBuffersComeBackExact() throws {
        var settings = TemporaryVault.fastSettings
        settings.chunker = ChunkerParameters(minimum: 1024, average: 4096, maximum: 16384)
        settings.blockTarget = 16 << 10
        let vault = try TemporaryVault(settings: settings)
        var contents: [String: [UInt8]] = [:]
        for (index, name) in ["a.csv", "b.csv", "c.csv"].enumerated() {
            contents[name] = OverlappedUnlockRestoreTests.text(120 << 10, seed: UInt64(20 + index))
            _ = try vault.directory.write(name, Data(contents[name]!), under: "export")
        }
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let manifest = try vault.vault.loadManifest(entry).manifest
        let locations = try vault.vault.loadChunkLocations(of: manifest.packs.compactMap(Digest.init(hex:)),
            sealers: vault.vault.indexSealers(try vault.vault.loadChain()))
        let pool = PlainBlockPool(for: vault.vault.config, limit: 1)
        let reader = ChunkReader(storage: vault.vault.storage, keys: vault.owner, locations: locations,
            cacheBytes: 20 << 10, pool: pool)
        var resolver = ChunkResolver(ChunkWords(distinct: locations.keys), of: manifest)
        for file in manifest.files where file.type == "file" {
            var ids: [Digest] = []
            try vault.vault.forEachChunkID(of: file, reader: reader, resolver: &resolver) { ids.append($0) }
            #expect(Set(ids.compactMap { locations[$0].map { "\($0.pack.hex)@\($0.blockOffset)" } }).count > 4,
                "\(file.path) spans several blocks")
            var pieces = [[UInt8]](repeating: [], count: ids.count)
            let interleaved = (0..<ids.count).map { $0 % 2 == 0 ? $0 / 2 : ids.count - 1 - $0 / 2 }
            for index in interleaved + Array(ids.indices) {
                let bytes = try reader.withChunk(ids[index]) { Array($0) }
                if pieces[index].isEmpty { pieces[index] = bytes } else { #expect(pieces[index] == bytes) }
            }
            #expect(pieces.flatMap { $0 } == contents[file.path], "\(file.path) comes back byte-exact")
        }
        #expect(pool.freeCount <= 1)

        // The same through `restore`, whose threads share one pool.
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(entry, to: target, keys: vault.owner)
        #expect(report.failures.isEmpty && report.filesRestored == 3)
        for (name, bytes) in contents {
            #expect(try Data(contentsOf: target.appendingPathComponent(name)) == Data(bytes))
        }
    }
}
