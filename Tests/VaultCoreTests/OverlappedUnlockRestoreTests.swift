import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Restore derives the owner key while another thread reads the manifest and the chunk locations. These tests pin
/// that this skips no check: nothing is written before the owner key is there, and every chunk read is still checked
/// against its id, even one that passes authentication late in a block whose first chunks another file reads.
struct OverlappedUnlockRestoreTests {
    /// Seeded CSV-like text (compressible, as exports are).
    static func text(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 64)
        while bytes.count < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes += Array("\"\(state >> 44)\",\"Acme \(state >> 54)\",\"Zürich\",\"\(state & 0xffff)\"\n".utf8)
        }
        return Array(bytes.prefix(count))
    }

    static func frame(_ plain: [UInt8]) throws -> [UInt8] {
        try plain.withUnsafeBytes { try ZstdCompressor(level: 3).compress($0) }
    }

    /// The last chunk of a block altered and the block sealed again with the owner's own pack key (the one damage that
    /// passes authentication): the file that reads it is reported damaged, while the file that needs only the block's
    /// first chunks restores byte-exact.
    @Test func aDamagedChunkLateInABlockIsStillFound() throws {
        var settings = TemporaryVault.fastSettings
        settings.chunker = ChunkerParameters(minimum: 1024, average: 4096, maximum: 16384)
        settings.blockTarget = 512 << 10
        let vault = try TemporaryVault(settings: settings)
        let whole = Self.text(400 << 10, seed: 13)
        _ = try vault.directory.write("a-head.csv", Data(whole.prefix(40 << 10)), under: "export")
        _ = try vault.directory.write("b-whole.csv", Data(whole), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let manifest = try vault.vault.loadManifest(entry).manifest
        let packs = manifest.packs.compactMap(Digest.init(hex:))
        let sealers = vault.vault.indexSealers(try vault.vault.loadChain())
        let locations = try vault.vault.loadChunkLocations(of: packs, sealers: sealers)
        let reader = ChunkReader(storage: vault.vault.storage, keys: vault.owner, locations: locations)
        var headIDs: [Digest] = []
        let head = try #require(manifest.files.first { $0.path == "a-head.csv" })
        var resolver = ChunkResolver(ChunkWords(distinct: locations.keys), of: manifest)
        try vault.vault.forEachChunkID(of: head, reader: reader, resolver: &resolver) { headIDs.append($0) }
        // In the block of the head's first chunk, the last chunk the head does not need: late in the block (the
        // backup fills blocks across files).
        let first = try #require(locations[headIDs[0]])
        let needed = headIDs.compactMap { locations[$0] }
        let last = try #require(locations.values.filter {
            $0.pack == first.pack && $0.blockOffset == first.blockOffset && !needed.contains($0)
        }.max { $0.offsetInBlock < $1.offsetInBlock })
        #expect(last.offsetInBlock > 128 << 10, "the altered chunk lies late in the block")
        try Self.alterTheEnd(of: last, in: vault)

        let target = vault.directory.path("restored")
        let report = try vault.reopened().restore(entry, to: target, keys: vault.owner)
        #expect(report.filesRestored == 1)
        #expect(report.failures.map(\.path) == ["b-whole.csv"])
        #expect(report.failures.first?.reason.contains("does not match its id") == true, "\(report.failures)")
        #expect(try Data(contentsOf: target.appendingPathComponent("a-head.csv")) == Data(whole.prefix(40 << 10)))
        #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("b-whole.csv").path))
    }

    /// Rewrites the block that holds `chunk` with a byte near the chunk's end changed, compressed and sealed again with
    /// the pack's own data key, at the same length (its index and the chain entry's pack sizes stay right).
    static func alterTheEnd(of chunk: ChunkLocation, in vault: TemporaryVault) throws {
        let url = vault.url.appendingPathComponent(PackFormat.packPath(chunk.pack))
        let pack = Array(try Data(contentsOf: url))
        let key = try BlockOpener.openPackKey(
            Array(pack[0..<PackFormat.headerCount]), sealing: vault.owner.sealing, pack: chunk.pack)
        let start = Int(chunk.blockOffset)
        let end = start + Int(chunk.blockLength)
        let opened = try BlockOpener.open(
            Array(pack[start..<end]), key: key, decompressor: ZstdDecompressor(), pack: chunk.pack,
            offset: chunk.blockOffset)
        // A byte of the chunk changed so that the frame keeps its size (the pack keeps the size its chain entry
        // records).
        let original = Array(opened.plaintext.bytes)
        let originalSize = Int(opened.header.ciphertextLength) - AEAD.tagCount
        var altered: [UInt8]?
        let chunkBytes = Int(chunk.offsetInBlock)..<Int(chunk.offsetInBlock + chunk.length)
        search: for position in chunkBytes.reversed().prefix(64) {
            for delta: UInt8 in [1, 2, 3, 255, 254] {
                var plain = original
                plain[position] &+= delta
                let compressed = try Self.frame(plain)
                if compressed.count == originalSize {
                    altered = compressed
                    break search
                }
            }
        }
        guard let compressed = altered else { throw VaultError(.usage, "no byte keeps the frame's size") }
        let nonce = Sodium.randomBytes(AEAD.nonceCount)
        let header = BlockHeader(nonce: nonce, chunks: opened.header.chunks,
            ciphertextLength: UInt32(compressed.count + AEAD.tagCount)).encoded()
        let ciphertext = compressed.withUnsafeBytes {
            AEAD.seal($0, key: key, nonce: nonce, associatedData: PackFormat.blockAssociatedDataPrefix + header)
        }
        var block = ByteWriter()
        block.append(UInt32(header.count))
        block.append(header)
        let newBlock = block.bytes + ciphertext
        #expect(newBlock.count == end - start)
        try Data(pack[..<start] + newBlock + pack[end...]).write(to: url)
    }

    @Test func theKeyIsDerivedWhileTheInputsAreReadAndNothingIsWrittenWithoutIt() throws {
        let vault = try TemporaryVault()
        let contents = Self.text(200 << 10, seed: 14)
        _ = try vault.directory.write("Account.csv", Data(contents), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let target = vault.directory.path("restored")
        #expect(throws: VaultError.self) {
            try vault.vault.restore(entry, to: target, unlocking: {
                try vault.vault.unlock(passphrase: Passphrase("wrong"))
            })
        }
        let (writer, _) = try vault.writerKey()
        #expect(throws: VaultError.self) { try vault.vault.restore(entry, to: target, unlocking: { writer }) }
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing is written without the owner key")
        let report = try vault.vault.restore(entry, to: target, unlocking: {
            try vault.vault.unlock(passphrase: Passphrase(TemporaryVault.passphraseText))
        })
        #expect(report.failures.isEmpty && report.filesRestored == 1)
        #expect(try Data(contentsOf: target.appendingPathComponent("Account.csv")) == Data(contents))
    }
}
