import Foundation

/// The chunks a backup may deduplicate against, each with the pack that holds it: all a backup needs to know of the
/// vault's index (a chunk's place in its pack is for readers).
///
/// A chunk costs one bucket of 36 bytes (its 32-byte id and a 4-byte pack number, in the dictionary's separate key
/// and value arrays) instead of the 88 of a full `ChunkLocation`, and the dictionary is sized once from the index
/// files' sizes, so it never grows by doubling (no rehashing, no moment with both the old and the new table).
struct BackupIndex {
    private var packOfChunk: [Digest: UInt32]
    private(set) var packs: [Digest] = []

    /// The most chunks a backup reserves room for before reading the indexes (about 200 MiB of table).
    static let maximumReservation = 1 << 22

    init(capacity: Int) { packOfChunk = Dictionary(minimumCapacity: capacity) }

    var count: Int { packOfChunk.count }

    /// The pack that holds `id`, if any.
    func pack(of id: Digest) -> Digest? { packOfChunk[id].map { packs[Int($0)] } }

    /// Adds a pack's chunks; a chunk an earlier pack holds keeps that pack.
    mutating func add(_ pack: Digest, records: [(id: Digest, location: ChunkLocation)]) {
        let number = UInt32(packs.count)
        packs.append(pack)
        for record in records where packOfChunk[record.id] == nil { packOfChunk[record.id] = number }
    }
}

extension Vault {
    /// The backup's index of `packs`, in the order given: the rules of ``loadChunkLocations(of:sealers:onlySealed:)``
    /// with `onlySealed` (a pack is used only when present and its index is sealed by one of `sealers(pack)`), with the
    /// indexes read, decoded and their seals checked on `threads` threads, a few packs at a time, and added in order.
    func loadBackupIndex(of packs: [Digest], sealers: (Digest) -> Set<PublicSigningKey>, threads: Int) -> BackupIndex {
        let present = packs.filter { storage.exists(PackFormat.packPath($0)) }
        // An index is 44 bytes, 52 a record, and 96 of seal: its size bounds its record count. The sizes are unchecked
        // until the indexes are read, so the table reserved up front is capped (index files inflated on the medium
        // cannot make it huge); a larger vault's table grows as it is filled.
        let capacity = present.reduce(0) { total, pack in
            let size = (try? storage.size(of: PackFormat.indexPath(pack))).map { Int(min($0, UInt64(ReadLimit.index))) } ?? 0
            return total + max(0, size - 44) / 52
        }
        var index = BackupIndex(capacity: min(capacity, BackupIndex.maximumReservation))
        let group = max(1, threads) * 2
        for start in stride(from: 0, to: present.count, by: group) {
            let batch = Array(present[start..<min(start + group, present.count)])
            let allowed = batch.map(sealers)
            let decoded = SlotArray<PackIndex>(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                decoded[slot] = sealedIndex(of: batch[slot], sealers: allowed[slot])
            }
            for slot in batch.indices {
                if let read = decoded[slot] { index.add(batch[slot], records: read.records) }
            }
        }
        return index
    }
}

/// One result slot per concurrent task, each written by its own task only (through a pointer: no exclusive access
/// to the whole is claimed), read after they all finished.
private final class SlotArray<Element>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Element?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    subscript(slot: Int) -> Element? {
        get { slots[slot] }
        set { slots[slot] = newValue }
    }
}
