import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// The file digest is a keyed hash of the file's size and chunk ids (docs/FORMAT.md §4.3). These tests hold the code
/// to the document's test vectors, so a second implementation written from the document agrees with this one, and
/// show that a backup records exactly that value and a restore refuses a file whose ids do not give it.
struct FileDigestTests {
    static func key() -> SecretBytes {
        var bytes = (0..<32).map { UInt8($0) }
        return SecretBytes(consuming: &bytes)
    }

    @Test func matchesTheTestVectorsOfTheFormat() {
        #expect(FileDigest.of(size: 0, ids: [], key: Self.key()).hex
            == "e23a94f9bf6d6043878914b96dd5c4d8c5d87e9829d381b92e7bdb3372b24497")
        let ids = [Digest(bytes: [UInt8](repeating: 0x11, count: 32))!, Digest(bytes: [UInt8](repeating: 0x22, count: 32))!]
        #expect(FileDigest.of(size: 5000, ids: ids, key: Self.key()).hex
            == "d3eca3e59171f2cd060a9a6bb9a4b0caa67cb22a924d6998b9cd6b2ad20fe18e")
    }

    @Test func sizeOrderAndEveryIdChangeTheDigest() {
        let a = Digest(bytes: [UInt8](repeating: 0x11, count: 32))!
        let b = Digest(bytes: [UInt8](repeating: 0x22, count: 32))!
        let digests = [
            FileDigest.of(size: 10, ids: [a, b], key: Self.key()), FileDigest.of(size: 11, ids: [a, b], key: Self.key()),
            FileDigest.of(size: 10, ids: [b, a], key: Self.key()), FileDigest.of(size: 10, ids: [a], key: Self.key()),
            FileDigest.of(size: 10, ids: [a, b, b], key: Self.key()),
            FileDigest.of(size: 10, ids: [a, b], key: SecretBytes(randomCount: 32)),
        ]
        #expect(Set(digests).count == digests.count)
    }

    /// Every file of a backup, small (inline ids) and large (a stored chunk list), empty included, records the digest
    /// of its size and ids, and the file's bytes are hashed only into those ids.
    @Test func backupRecordsTheDigestOfSizeAndIds() throws {
        let vault = try TemporaryVault()
        try vault.directory.write("big.bin", ParallelRestoreTests.bytes(3 << 20, seed: 21), under: "export")
        try vault.directory.write("small.csv", Data("Id,Name\n001,Ada\n".utf8), under: "export")
        try vault.directory.write("empty.csv", Data(), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let manifest = try vault.vault.loadManifest(entry).manifest
        let locations = try vault.vault.loadChunkLocations(
            of: manifest.packs.compactMap(Digest.init(hex:)),
            sealers: vault.vault.indexSealers(try vault.vault.loadChain()))
        let reader = ChunkReader(storage: vault.vault.storage, keys: vault.owner, locations: locations)
        var resolver = ChunkResolver(ChunkWords(distinct: locations.keys), of: manifest)
        var checked: [String] = []
        for file in manifest.files where file.type == "file" {
            var ids: [Digest] = []
            try vault.vault.forEachChunkID(of: file, reader: reader, resolver: &resolver) { ids.append($0) }
            #expect(file.digest == FileDigest.of(size: file.size ?? -1, ids: ids, key: vault.owner.fileDigestKey).hex)
            checked.append(file.path)
        }
        #expect(checked == ["big.bin", "empty.csv", "small.csv"])
        #expect(manifest.files.first { $0.path == "big.bin" }?.content?.list != nil)  // the chunk-list form is covered
    }
}
