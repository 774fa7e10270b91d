import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// A backup compresses blocks on several threads (`PackSink`) and writes them in the order they were made: the packs
/// hold the same blocks at the same places as with one thread, and a block that fails to compress fails the backup
/// with nothing of it written.
struct ParallelCompressionTests {
    /// Each pack's records (chunk id, block offset and length, place in the block, length), without the pack's name
    /// (random data keys and nonces make the names differ from run to run), the packs in the order of their chunks.
    static func packLayouts(_ vault: Vault, owner: VaultKeys) throws -> [[String]] {
        let manifest = try vault.loadManifest(try vault.resolveSnapshot("latest", in: try vault.loadChain())).manifest
        return try manifest.packs.map { name in
            let pack = try #require(Digest(hex: name))
            let index = try #require(vault.sealedIndex(of: pack, sealers: [owner.signing.publicKey]))
            return index.records.map { record in
                let at = record.location
                return "\(record.id.hex) \(at.blockOffset) \(at.blockLength) \(at.offsetInBlock) \(at.length)"
            }
        }.sorted { $0.first ?? "" < $1.first ?? "" }
    }

    /// One export backed up into two copies of one new vault (same keys), with one thread and with four.
    @Test func blocksCompressedOnFourThreadsLandWhereOneThreadPutsThem() throws {
        let original = try TemporaryVault()
        let copy = original.directory.path("vault-copy")
        try FileManager.default.copyItem(at: original.url, to: copy)
        // Compressible records and random bytes: blocks of very different compressed sizes, several packs.
        try original.directory.write("Account.csv", Data(ChunkerTests.csv(records: 0..<60_000)), under: "export")
        try original.directory.write("blob.bin", ParallelRestoreTests.bytes(3 << 20, seed: 44), under: "export")
        var layouts: [[[String]]] = []
        var files: [[[String]]] = []
        for (vault, threads) in [(original.vault, 1), (try Vault.open(at: copy), 4)] {
            let result = try vault.backup(original.directory.path("export"), keys: original.owner, hashThreads: threads)
            #expect(result.newChunkBytes > 0)
            #expect(try vault.verify(ownerKeys: original.owner).problems.isEmpty)
            layouts.append(try Self.packLayouts(vault, owner: original.owner))
            let manifest = try vault.loadManifest(try vault.resolveSnapshot("latest", in: try vault.loadChain())).manifest
            files.append(manifest.files.map { [$0.path, $0.digest ?? "", "\($0.content?.chunks ?? [])", "\($0.content?.list ?? [])"] })
        }
        #expect(layouts[0].count >= 3, "several packs")
        #expect(layouts[0].map(\.count).reduce(0, +) > 1000, "many chunks")
        #expect(layouts[0].count == layouts[1].count)
        #expect(layouts[0] == layouts[1])
        #expect(files[0] == files[1])
    }

    /// A block outside the format's limits is refused while it is compressed, on a compressing thread: the blocks
    /// before it are written, none after it, the failure reaches `finish`, and abandoning leaves no staged file.
    @Test func aBlockThatFailsOnACompressingThreadFailsTheSinkCleanly() throws {
        let vault = try TemporaryVault()
        let sink = PackSink(storage: vault.vault.storage, keys: vault.owner,
            sealing: SealingKey(publicKey: Hex.decode(vault.vault.config.ownerSealingKey)!), compressionLevel: 3,
            packTarget: 256 << 10, compressThreads: 4)
        let data = [UInt8](ParallelRestoreTests.bytes(100 << 10, seed: 45))
        func block(_ number: Int, chunks: Int = 1) -> PendingBlock {
            var id = [UInt8](repeating: 0, count: 32)
            id[0] = UInt8(number)
            return PendingBlock(number: number, ids: chunks == 0 ? [] : [Digest(bytes: id)!],
                lengths: chunks == 0 ? [] : [data.count], data: chunks == 0 ? [] : data)
        }
        for number in 0..<6 { try sink.submit(block(number)) }
        try sink.submit(block(6, chunks: 0))  // no chunk: refused by PackFormat.checkLimits
        var refusedAt: Int?
        for number in 7..<40 where refusedAt == nil {
            do { try sink.submit(block(number)) } catch { refusedAt = number }
        }
        let error = #expect(throws: VaultError.self) { _ = try sink.finish() }
        #expect(error?.message.contains("outside the format's limits (it holds 0 chunks)") == true)
        #expect(refusedAt != nil, "later submissions are refused once the failure is known")
        let written = sink.abandon()
        // Six blocks of 100 KiB (random: they do not compress) at a 256 KiB target: two packs of three blocks.
        #expect(written.count == 2)
        #expect(try vault.files(under: "tmp").isEmpty)
        for pack in written {
            let index = try #require(vault.vault.sealedIndex(of: pack, sealers: [vault.owner.signing.publicKey]))
            #expect(index.records.count == 3)
        }
    }
}
