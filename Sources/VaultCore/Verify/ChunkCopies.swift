/// Where each chunk id that a manifest names in clear (inline chunks, chunk-list chunks) is stored: the packs that
/// hold a copy, and its length there, from the pack scan or, for packs outside the scan (`--since`, `--sample`), from
/// their index. Only those ids are kept, not every chunk id of the vault.
struct ChunkCopies {
    let storage: any VaultStorage
    let named: Set<Digest>
    private var copies: [Digest: [Digest: UInt32]] = [:]
    /// Packs whose chunks are known: scanned and sound, or read from their index; false for one that cannot be read.
    private var known: [Digest: Bool] = [:]

    init(storage: any VaultStorage, named: Set<Digest>) {
        self.storage = storage
        self.named = named
    }

    /// Records the named chunks of a pack that was scanned and found sound.
    mutating func add(_ chunks: [(id: Digest, length: UInt32)], in pack: Digest) {
        for chunk in chunks { copies[chunk.id, default: [:]][pack] = chunk.length }
        known[pack] = true
    }

    /// True when the pack's chunks are known, reading its index if the scan did not cover it.
    mutating func load(_ pack: Digest) -> Bool {
        if let isKnown = known[pack] { return isKnown }
        guard let bytes = try? storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index),
            let index = try? PackIndex.decode(bytes), index.pack == pack
        else {
            known[pack] = false
            return false
        }
        add(index.records.filter { named.contains($0.id) }.map { ($0.id, $0.location.length) }, in: pack)
        return true
    }

    /// True when `pack` holds the chunk whose id is `hex`.
    func holds(_ hex: String, in pack: Digest) -> Bool {
        guard let id = Digest(hex: hex) else { return false }
        return copies[id]?[pack] != nil
    }

    /// The length of chunk `id` in one of `packs`, or nil when none of them holds it. Costs the smaller of the number
    /// of copies and the number of packs, so neither many copies nor many packs make it slow.
    func length(of id: Digest, inAnyOf packs: Set<Digest>) -> UInt32? {
        guard let holders = copies[id] else { return nil }
        if holders.count <= packs.count {
            return holders.first { packs.contains($0.key) }?.value
        }
        return packs.lazy.compactMap { holders[$0] }.first
    }
}
