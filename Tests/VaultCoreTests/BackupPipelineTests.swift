import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// A backup hashes chunks on every core (`FileChunker`) and streams each file's ids into its digest and chunk list
/// (`ChunkListBuilder`) instead of holding them. These tests hold both to the plain reference: the whole file cut at
/// once and hashed on one thread, the whole id list held and cut at once (docs/FORMAT.md §5, §8).
struct BackupPipelineTests {
    /// The chunks of `bytes` cut at once, each with its length and id.
    static func reference(_ bytes: [UInt8], chunker: ContentDefinedChunker, keys: VaultKeys) -> [(length: Int, id: Digest)] {
        bytes.withUnsafeBytes { all in
            var chunks: [(length: Int, id: Digest)] = []
            var start = 0
            while start < all.count {
                let rest = UnsafeRawBufferPointer(rebasing: all[start...])
                let length = chunker.nextChunkLength(in: rest)
                chunks.append((length, keys.chunkID(of: UnsafeRawBufferPointer(rebasing: rest[0..<length]))))
                start += length
            }
            return chunks
        }
    }

    /// The references of a chunk list of these ids: each short (its first 8 bytes) unless in `full` or its first 8
    /// bytes are zero (§8).
    static func references(_ ids: [Digest], full: Set<Digest> = []) -> [ChunkReference] {
        ids.map { full.contains($0) || $0.firstWord == 0 ? .full($0) : .short($0.firstWord) }
    }

    /// The manifest content a file of these ids had when its whole chunk list was held and cut at once.
    static func referenceContent(_ ids: [Digest], full: Set<Digest> = [], chunker: ContentDefinedChunker,
                                 keys: VaultKeys) -> SnapshotManifest.Content {
        if ids.count <= SnapshotManifest.inlineChunkLimit { return .init(chunks: ids.map(\.hex)) }
        var list: [UInt8] = []
        for reference in references(ids, full: full) { reference.append(to: &list) }
        return .init(count: ids.count, list: reference(list, chunker: chunker, keys: keys).map(\.id.hex))
    }

    /// Feeds `bytes` to `fileChunker` in pieces of the sizes given, in turn, and returns the chunks it hands back.
    static func chunks(of bytes: [UInt8], by fileChunker: FileChunker, pieces: [Int]) throws
        -> [(length: Int, id: Digest)]
    {
        var got: [(length: Int, id: Digest)] = []
        var offset = 0
        var piece = 0
        try bytes.withUnsafeBytes { all in
            while offset < all.count {
                let count = min(pieces[piece % pieces.count], all.count - offset)
                let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)])
                try fileChunker.add(slice) { got.append(($0.count, $1)) }
                offset += count
                piece += 1
            }
        }
        try fileChunker.finish { got.append(($0.count, $1)) }
        return got
    }

    @Test(arguments: [1, 2, 4])
    func chunksAndIdsDoNotDependOnThreadsWindowsOrReadSizes(threads: Int) throws {
        let keys = VaultKeys.generateOwner()
        let chunker = ContentDefinedChunker(parameters: .default, key: keys.chunkerKey)
        let bytes = [UInt8](ParallelRestoreTests.bytes(3 << 20, seed: 41))
        let expected = Self.reference(bytes, chunker: chunker, keys: keys)
        // A small window, so the file spans many windows and many cuts fall near a window's end.
        let fileChunker = FileChunker(chunker: chunker, keys: keys, threads: threads, windowSize: 64 << 10)
        for pieces in [[1, 7, 4093], [1 << 20], [65_539]] {
            let got = try Self.chunks(of: bytes, by: fileChunker, pieces: pieces)
            #expect(got.map(\.length) == expected.map(\.length), "pieces \(pieces)")
            #expect(got.map(\.id) == expected.map(\.id), "pieces \(pieces)")
        }
    }

    /// One chunker backs up file after file: a big file (many windows), a file that fits one window, an
    /// empty one, a big one again, and after a file dropped part way (its chunks refused while windows were still
    /// being cut and hashed) the next file is still cut as if alone: nothing of the file before is carried over.
    @Test(arguments: [1, 2])
    func filesAfterOneAnotherAndAfterADroppedFileAreCutAsIfAlone(threads: Int) throws {
        let keys = VaultKeys.generateOwner()
        let chunker = ContentDefinedChunker(parameters: .default, key: keys.chunkerKey)
        let fileChunker = FileChunker(chunker: chunker, keys: keys, threads: threads, windowSize: 64 << 10)
        let files = [(1 << 20) + 333, 5_000, 0, 700_001].enumerated().map {
            [UInt8](ParallelRestoreTests.bytes($1, seed: 50 + UInt64($0)))
        }
        for bytes in files + files.reversed() {
            let got = try Self.chunks(of: bytes, by: fileChunker, pieces: [4096, 100_000])
            let expected = Self.reference(bytes, chunker: chunker, keys: keys)
            #expect(got.map(\.length) == expected.map(\.length), "\(bytes.count) bytes")
            #expect(got.map(\.id) == expected.map(\.id), "\(bytes.count) bytes")
        }
        struct Refused: Error {}
        for (stop, read) in [(0, 400_000), (3, 600_000), (1 << 30, 200_000), (1 << 30, 0)] {
            // The first `stop` chunks handed back are taken, then one is refused; or, with none refused, the file is
            // dropped after `read` bytes, part way through a window.
            var taken = 0
            let feed = {
                try files[0].withUnsafeBytes { all in
                    try fileChunker.add(UnsafeRawBufferPointer(rebasing: all[0..<read])) { _, _ in
                        guard taken < stop else { throw Refused() }
                        taken += 1
                    }
                }
            }
            if stop < 1 << 30 { #expect(throws: Refused.self) { try feed() } } else { try feed() }
            fileChunker.reset()
            let got = try Self.chunks(of: files[3], by: fileChunker, pieces: [65_536])
            let expected = Self.reference(files[3], chunker: chunker, keys: keys)
            #expect(got.map(\.id) == expected.map(\.id), "stop \(stop) read \(read)")
        }
    }

    @Test func aStreamedChunkListIsTheListCutAtOnce() throws {
        let keys = VaultKeys.generateOwner()
        let chunker = ContentDefinedChunker(parameters: .default, key: keys.chunkerKey)
        for count in [0, 1, 256, 257, 300, 5_000] {
            // Every seventh id written full, and one whose first 8 bytes are zero (never short).
            var ids = (0..<count).map { Digest(bytes: [UInt8](ParallelRestoreTests.bytes(32, seed: UInt64($0))))! }
            if count > 260 { ids[260] = BackupIndexTests.id(260, prefix: 0) }
            let full = Set(ids.enumerated().filter { $0.offset % 7 == 3 }.map(\.element))
            var builder = ChunkListBuilder()
            var stored: [UInt8] = []
            var asked: [Digest] = []
            let store = { (chunk: UnsafeRawBufferPointer) -> Digest in
                stored.append(contentsOf: chunk)
                return keys.chunkID(of: chunk)
            }
            let reference = { (id: Digest) -> ChunkReference in
                asked.append(id)
                return Self.references([id], full: full)[0]
            }
            for id in ids { try builder.add(id, chunker: chunker, reference: reference, store: store) }
            let content = try builder.finish(chunker: chunker, store: store)
            let expected = Self.referenceContent(ids, full: full, chunker: chunker, keys: keys)
            #expect(content.chunks == expected.chunks, "\(count) ids")
            #expect(content.count == expected.count, "\(count) ids")
            #expect(content.list == expected.list, "\(count) ids")
            // Every reference is written once, in order, and decodes to the ids' references; inline ids store nothing.
            let isListed = count > SnapshotManifest.inlineChunkLimit
            #expect(asked == (isListed ? ids : []), "\(count) ids")
            let decoded = ChunkReference.decode(stored[...])
            #expect(decoded.references == (isListed ? Self.references(ids, full: full) : []), "\(count) ids")
            #expect(decoded.consumed == stored.count, "\(count) ids")
            #expect(!isListed || ChunkReference.isListLength(stored.count, count: count), "\(count) ids")
        }
    }

    /// A file of more than 256 chunks (its ids streamed into a stored chunk list), a small and an empty one, backed up
    /// on four threads and again on one: both record the reference's ids, list and digest, and the vault verifies.
    @Test func aBackupOnFourThreadsRecordsWhatOneThreadCutAtOnceWould() throws {
        let vault = try TemporaryVault()
        let big = [UInt8](ParallelRestoreTests.bytes(3 << 20, seed: 43))
        try vault.directory.write("big.bin", Data(big), under: "export")
        try vault.directory.write("small.csv", Data("Id,Name\n001,Ada\n".utf8), under: "export")
        try vault.directory.write("empty.csv", Data(), under: "export")
        let keys = vault.owner
        let chunker = ContentDefinedChunker(parameters: vault.vault.config.chunker, key: keys.chunkerKey)
        var manifests: [[SnapshotManifest.Entry]] = []
        for threads in [4, 1] {
            _ = try vault.vault.backup(vault.directory.path("export"), keys: keys, hashThreads: threads)
            let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
            manifests.append(try vault.vault.loadManifest(entry).manifest.files)
        }
        let ids = Self.reference(big, chunker: chunker, keys: keys).map(\.id)
        #expect(ids.count > SnapshotManifest.inlineChunkLimit)
        let expected = Self.referenceContent(ids, chunker: chunker, keys: keys)
        for files in manifests {
            let file = try #require(files.first { $0.path == "big.bin" })
            #expect(file.content?.count == expected.count)
            #expect(file.content?.list == expected.list)
            #expect(file.digest == FileDigest.of(size: big.count, ids: ids, key: keys.fileDigestKey).hex)
        }
        let shown = manifests.map { $0.map { [$0.path, $0.digest ?? "", "\($0.content?.chunks ?? [])", "\($0.content?.list ?? [])"] } }
        #expect(shown[0] == shown[1])
        #expect(try vault.vault.verify(ownerKeys: keys).problems.isEmpty)
    }

    /// A backup reports the list chunks it stored (what the storage benchmark breaks out per month): the whole chunk
    /// list of a new file, and nothing when the same export is backed up again.
    @Test func aBackupReportsTheListChunksItStored() throws {
        let vault = try TemporaryVault()
        try vault.directory.write("big.bin", ParallelRestoreTests.bytes(3 << 20, seed: 47), under: "export")
        let first = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let content = try #require(try vault.vault.loadManifest(entry).manifest.files.first?.content)
        #expect(first.newListBytes == 8 * (content.count ?? 0))  // every reference short
        #expect(first.newListChunks == content.list?.count)
        #expect(first.newListChunks > 0 && first.newListBytes < first.newChunkBytes)
        let again = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        #expect(again.newListBytes == 0 && again.newListChunks == 0 && again.newChunkBytes == 0)
    }

    /// A chunk of the file whose first 8 bytes begin another id of the packs the backup may deduplicate against (a
    /// crafted index) is named in full; every other reference is short, and the snapshot needs no `resolve`.
    @Test func aChunkThatBeginsLikeAnotherIdOfTheVaultIsListedInFull() throws {
        let vault = try TemporaryVault()
        let keys = vault.owner
        let chunker = ContentDefinedChunker(parameters: vault.vault.config.chunker, key: keys.chunkerKey)
        let big = [UInt8](ParallelRestoreTests.bytes(3 << 20, seed: 53))
        let ids = Self.reference(big, chunker: chunker, keys: keys).map(\.id)
        let contested = [ids[10], ids[300], ids[ids.count - 1]]  // inline at first, then in the list, the last
        var known = BackupIndex(capacity: 0)
        known.add(BackupIndexTests.id(1), records: contested.enumerated().map {
            (id: BackupIndexTests.id(2 + $0.offset, prefix: $0.element.firstWord), location: BackupIndexTests.nowhere)
        })
        let sink = PackSink(storage: vault.vault.storage, keys: keys,
            sealing: SealingKey(publicKey: Hex.decode(vault.vault.config.ownerSealingKey)!), compressionLevel: 3, packTarget: 1 << 20)
        let session = BackupSession(keys: keys, config: vault.vault.config, known: known, sink: sink, hashThreads: 2)
        try session.file("big.bin", mode: 0o644, mtime: FileTime(seconds: 0, nanoseconds: 0), size: big.count) { consume in
            try big.withUnsafeBytes { try consume($0) }
        }
        _ = try session.finish()
        let content = try #require(session.entries.first?.content)
        let expected = Self.referenceContent(ids, full: Set(contested), chunker: chunker, keys: keys)
        #expect(content.count == ids.count && content.list == expected.list)
        #expect(content.list != Self.referenceContent(ids, chunker: chunker, keys: keys).list)
        #expect(session.newListBytes == 8 * ids.count + 32 * contested.count)
        #expect(session.resolve.isEmpty)
    }

    /// The golden vault's second snapshot was written by the first version, which cut on the calling thread one gear
    /// byte a step: a backup of the same export today (cut in the background, two bytes a step, blocks compressed on
    /// several threads) records the same chunk ids, lists and digests for every file.
    @Test(arguments: [1, 4])
    func theGoldenExportBacksUpToTheFirstVersionsChunks(threads: Int) throws {
        let (directory, copy) = try GoldenVaultTests.copyOfFixture()
        defer { withExtendedLifetime(directory) {} }
        let vault = try Vault.open(at: copy)
        let owner = try vault.unlock(passphrase: Passphrase(GoldenVaultTests.passphrase))
        let shown = { (files: [SnapshotManifest.Entry]) in
            files.map { [$0.path, $0.type, $0.digest ?? "", "\($0.content?.chunks ?? [])", "\($0.content?.count ?? 0)", "\($0.content?.list ?? [])"] }
        }
        let golden = shown(try vault.loadManifest(try vault.resolveSnapshot("latest", in: try vault.loadChain())).manifest.files)
        _ = try vault.backup(GoldenVaultTests.fixtures.appendingPathComponent("vault-v1-export"), keys: owner, hashThreads: threads)
        let again = shown(try vault.loadManifest(try vault.resolveSnapshot("latest", in: try vault.loadChain())).manifest.files)
        #expect(golden.count > 3)
        #expect(again == golden)
        #expect(try vault.verify(ownerKeys: owner).problems.isEmpty)
    }

    /// The file digest starts with the size the export listed: a file that grows while it is read is refused by name,
    /// and nothing is recorded.
    @Test func aFileThatChangesWhileItIsReadIsRefusedByName() throws {
        let vault = try TemporaryVault()
        let sink = PackSink(storage: vault.vault.storage, keys: vault.owner,
            sealing: SealingKey(publicKey: Hex.decode(vault.vault.config.ownerSealingKey)!), compressionLevel: 3, packTarget: 1 << 20)
        let session = BackupSession(keys: vault.owner, config: vault.vault.config, known: BackupIndex(capacity: 0), sink: sink, hashThreads: 2)
        let error = #expect(throws: VaultError.self) {
            try session.file("Account.csv", mode: 0o644, mtime: FileTime(seconds: 0, nanoseconds: 0), size: 10) { consume in
                try [UInt8](repeating: 0x41, count: 5_000).withUnsafeBytes { try consume($0) }
            }
        }
        #expect(error?.code == .inputUnreadable)
        #expect(error?.message.contains("Account.csv changed while it was read: 10 bytes when listed, 5000 bytes read") == true)
        #expect(session.entries.isEmpty)
        _ = sink.abandon()
    }
}
