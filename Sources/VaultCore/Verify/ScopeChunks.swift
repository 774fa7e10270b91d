/// Where every chunk of the packs in deep verify's scope lies, read once for all snapshots (each pack's sealed index,
/// or the pack itself, by the rules of ``Vault/loadChunkLocations(of:sealers:onlySealed:)``), and whether the pack
/// scan checked its block. A snapshot sees only the copies in its own packs, the first of its packs that holds a chunk
/// winning (and in a pack its first record): what a map built from that snapshot's packs alone would give, without
/// building and hashing one such map per snapshot. A chunk held by several packs keeps one copy per pack, chained.
/// The distinct ids are also kept by first word, for resolving the short references of each snapshot's chunk lists
/// among that snapshot's packs alone (docs/FORMAT.md §8, ``ChunkResolver``).
struct ScopeChunks {
    struct Copy {
        var blockOffset: UInt64
        var blockLength: UInt32
        var offsetInBlock: UInt32
        var length: UInt32
        /// Its pack, as an index into `packs`.
        var pack: Int
        /// The copy of the same chunk in another pack, as an index into `more`, or -1.
        var next: Int
        /// The pack scan authenticated its block and checked every chunk of it against its id (``CheckedBlocks``).
        var checked: Bool
    }

    /// One snapshot's view: for each pack of the scope, its first position in the snapshot's `packs`, or `Int.max`.
    struct View {
        fileprivate let chunks: ScopeChunks
        fileprivate let rank: [Int]

        /// The chunk's copy in the first of the snapshot's packs that holds it, or nil when none does.
        func copy(of id: Digest) -> Copy? {
            guard var copy = chunks.first[id] else { return nil }
            var best: Copy?
            var bestRank = Int.max
            while true {
                if rank[copy.pack] < bestRank {
                    best = copy
                    bestRank = rank[copy.pack]
                }
                guard copy.next >= 0 else { return best }
                copy = chunks.more[copy.next]
            }
        }

        /// A resolver of `manifest`'s chunk-list references: among the ids of this view's packs only, so an id that
        /// shares its first 8 bytes in another snapshot's pack does not make this snapshot's reference ambiguous.
        func resolver(of manifest: SnapshotManifest) -> ChunkResolver {
            ChunkResolver(chunks.words, of: manifest, holds: { copy(of: $0) != nil })
        }

        func location(of id: Digest) -> ChunkLocation? {
            copy(of: id).map {
                ChunkLocation(pack: chunks.packs[$0.pack], blockOffset: $0.blockOffset, blockLength: $0.blockLength,
                    offsetInBlock: $0.offsetInBlock, length: $0.length)
            }
        }
    }

    private var packs: [Digest] = []
    private var numbers: [Digest: Int] = [:]
    /// Each chunk's copy in the last pack read that holds it; its other copies are in `more`.
    private var first: [Digest: Copy] = [:]
    private var more: [Copy] = []
    /// The ids of `first` by first word.
    private var words = ChunkWords()

    /// Adds the records of one more pack; the first record of a chunk in a pack is its copy there.
    mutating func add(_ records: [(id: Digest, location: ChunkLocation)], of pack: Digest, checked: CheckedBlocks) {
        guard numbers[pack] == nil else { return }
        let number = packs.count
        packs.append(pack)
        numbers[pack] = number
        first.reserveCapacity(first.count + records.count)
        for (id, location) in records {
            var copy = Copy(blockOffset: location.blockOffset, blockLength: location.blockLength,
                offsetInBlock: location.offsetInBlock, length: location.length, pack: number, next: -1,
                checked: checked.contains(location))
            if let earlier = first[id] {
                guard earlier.pack != number else { continue }
                more.append(earlier)
                copy.next = more.count - 1
            } else {
                words.insert(distinct: id)
            }
            first[id] = copy
        }
    }

    /// The same map with each copy's `checked` taken from `checked` (a map read before the pack scan ran).
    func marking(_ checked: CheckedBlocks) -> ScopeChunks {
        var marked = self
        func mark(_ copy: Copy) -> Copy {
            var copy = copy
            copy.checked = checked.contains(packs[copy.pack], blockOffset: copy.blockOffset)
            return copy
        }
        marked.first = first.mapValues(mark)
        marked.more = more.map(mark)
        return marked
    }

    /// The view of a snapshot whose manifest lists `snapshotPacks`.
    func view(of snapshotPacks: [Digest?]) -> View {
        var rank = [Int](repeating: .max, count: packs.count)
        for (position, pack) in snapshotPacks.enumerated().reversed() {
            if let pack, let number = numbers[pack] { rank[number] = position }
        }
        return View(chunks: self, rank: rank)
    }
}

extension Vault {
    /// The chunks of every pack the snapshots list, read once (see ``ScopeChunks``).
    func scopeChunks(of snapshots: [SnapshotsInScope.Snapshot], sealers: (Digest) -> Set<PublicSigningKey>,
                     checked: CheckedBlocks, sizeLimit: (@Sendable (Digest) -> PackSizeLimit?)? = nil) throws
        -> ScopeChunks
    {
        var seen: Set<Digest> = []
        let packs = snapshots.flatMap { $0.packs.compactMap { $0 } }.filter { seen.insert($0).inserted }
        var chunks = ScopeChunks()
        try forEachPackRecords(of: packs, sealers: sealers, sizeLimit: sizeLimit) { pack, records in
            chunks.add(records, of: pack, checked: checked)
        }
        return chunks
    }
}
