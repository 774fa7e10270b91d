import Foundation
import VaultTesting

@testable import VaultCore

/// A forged vault (``ForgedVault``) with one more owner snapshot, of five parts of about 64 chunks each (stored with
/// inline ids) and `small.csv`, from which a test commits snapshots of `data.csv`, the parts' bytes one after another
/// (so their ids in order are its ids, more than 256), stored through a chunk list of references the test writes itself
/// (docs/FORMAT.md §8), and `small.csv`, as an owner-key holder could: the list chunks go into a new pack, with any
/// decoys (records under ids of the test's choosing, over bytes that are not theirs: what a crafted index holds),
/// sealed by the owner. The lists do not depend on how this build's backup writes them.
final class ChunkListForgery {
    let forged: ForgedVault
    /// The snapshot of the parts and `small.csv`, all inline.
    let base: SnapshotManifest
    /// `data.csv`'s entry in the committed snapshots, but for its `content` and `packs` (indexes into `base.packs`).
    private let entry: SnapshotManifest.Entry
    /// `data.csv`'s bytes and chunk ids in order.
    let data: Data
    let ids: [Digest]
    static let small = Data("Id,Name\n001,Ada\n".utf8)

    init() throws {
        forged = try ForgedVault()
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 29
        }
        var whole = Data()
        for part in 1...5 {
            let rows = (0..<4_000).map { "\"a\(part)\($0)\",\"Opportunity \(next() % 90_000)\",\"\(next())\"\n" }
            let bytes = Data(rows.joined().utf8)
            try forged.directory.write("part-\(part).csv", bytes, under: "lists")
            whole += bytes
        }
        data = whole
        try forged.directory.write("small.csv", Self.small, under: "lists")
        _ = try forged.vault.backup(forged.directory.path("lists"), keys: forged.owner, label: "lists",
            time: Timestamp.parse("2026-11-03T02:00:00Z")!)
        base = try forged.latestManifest()
        let parts = base.files.filter { $0.path.hasPrefix("part-") }
        ids = try parts.flatMap { try Self.require($0.content?.chunks).compactMap(Digest.init(hex:)) }
        guard parts.count == 5, ids.count > SnapshotManifest.inlineChunkLimit, ids.allSatisfy(ChunkReference.canBeShort)
        else { throw VaultError(.usage, "the parts were not cut into the short-referable chunks the tests need") }
        var entry = parts[0]
        entry.path = "data.csv"
        entry.size = data.count
        entry.digest = FileDigest.of(size: data.count, ids: ids, key: forged.owner.fileDigestKey).hex
        entry.packs = Array(Set(parts.flatMap { $0.packs ?? [] })).sorted()
        self.entry = entry
    }

    /// Every chunk of `data.csv` by a short reference, but the one at `full`, by a full one.
    func references(fullAt full: Int? = nil) -> [ChunkReference] {
        ids.indices.map { $0 == full ? .full(ids[$0]) : .short(ids[$0].firstWord) }
    }

    /// An id that begins with the same 8 bytes as `id` and is another id.
    static func sharingFirstWord(with id: Digest, tail: UInt8 = 0xA5) -> Digest {
        var bytes = id.withUnsafeBytes { Array($0) }
        for index in 8..<32 { bytes[index] ^= tail &+ UInt8(index) }
        return Digest(bytes: bytes)!
    }

    /// The bytes of `references`, cut off by `dropping` bytes at the end.
    static func listBytes(_ references: [ChunkReference], dropping: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        for reference in references { reference.append(to: &bytes) }
        return Array(bytes.dropLast(dropping))
    }

    /// Stores `list` as list chunks cut every `cut` bytes (so references straddle them), with `decoys`, in a new pack
    /// sealed by the owner; commits (as the owner, claiming the pack) a snapshot of `data.csv` stored through them,
    /// declaring `count` chunks (the ids' count by default), and `small.csv`, naming `resolve`. Returns the new
    /// snapshot's entry and pack.
    @discardableResult
    func commit(list: [UInt8], count: Int? = nil, cut: Int = 333, decoys: [Digest] = [], resolve: [Digest] = [])
        throws -> (entry: StoredChainEntry, pack: Digest)
    {
        let keys = forged.owner
        var block = PendingBlock(number: 0)
        var listChunks: [Digest] = []
        for start in stride(from: 0, to: list.count, by: cut) {
            let piece = Array(list[start..<min(start + cut, list.count)])
            let id = piece.withUnsafeBytes { keys.chunkID(of: $0) }
            listChunks.append(id)
            block.ids.append(id)
            block.lengths.append(piece.count)
            block.data += piece
        }
        for decoy in decoys {  // a record under `decoy` over bytes of its own that are not its
            block.ids.append(decoy)
            block.lengths.append(40)
            block.data += decoy.withUnsafeBytes { Array($0) } + Array(repeating: 0x2C, count: 8)
        }
        let writer = try PackWriter(storage: forged.vault.storage, sealing: keys.sealing)
        try writer.append(block, compressed: try PackWriter.compress(block, compressor: ZstdCompressor(level: 3)))
        let (pack, packSize) = try writer.finish(storage: forged.vault.storage, keys: keys)

        var manifest = base
        var data = entry
        data.content = .init(chunks: nil, count: count ?? ids.count, list: listChunks.map(\.hex))
        manifest.files = [data] + base.files.filter { $0.path == "small.csv" }
        let used = Set(manifest.files.flatMap { $0.packs ?? [] }.map { base.packs[$0] })
        manifest.packs = (used.sorted() + [pack.hex]).sorted()
        let number = { (hex: String) in manifest.packs.firstIndex(of: hex)! }
        for position in manifest.files.indices {
            manifest.files[position].packs = manifest.files[position].packs.map { $0.map { number(base.packs[$0]) } }
        }
        manifest.files[0].packs = (manifest.files[0].packs! + [number(pack.hex)]).sorted()
        manifest.bytesIn = manifest.files.reduce(0) { $0 + ($1.size ?? 0) }
        manifest.resolve = resolve.isEmpty ? nil : resolve.map(\.hex).sorted()
        try forged.commit(manifest, signedBy: keys) { entry in  // the entry claims the new pack, as a backup's would
            entry.packs = [pack.hex]
            entry.bytesStored = Int(packSize)
            entry.root = MerkleTree.root([Digest(hex: entry.snapshot!)!, pack]).hex
        }
        return (try forged.vault.loadChain().snapshotEntries.last!, pack)
    }

    /// Restores `entry` into a fresh directory with the owner's keys.
    func restore(_ entry: StoredChainEntry) throws -> (report: RestoreReport, target: URL) {
        let target = forged.directory.path("restored-\(UUID().uuidString)")
        return (try forged.reopened().restore(entry, to: target, keys: forged.owner), target)
    }

    private static func require<T>(_ value: T?) throws -> T {
        guard let value else { throw VaultError(.usage, "the forged snapshot lacks what the tests need") }
        return value
    }
}
