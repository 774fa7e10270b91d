import Foundation

/// The chunks a backup may deduplicate against, each with the pack that holds it: all a backup needs to know of the
/// vault's index (a chunk's place in its pack is for readers).
///
/// An open-addressing table (linear probing) of 36 bytes a slot: the 32-byte id and a 4-byte pack number, at most 3/4
/// full, sized once from the index files' sizes so it never grows by doubling while the vault's indexes are read. A
/// slot is found from the id's SipHash (Swift's `Hasher`, seeded at random per process) over all 32 bytes: an honest
/// vault's ids are keyed hashes and evenly spread, but a writer-key holder may seal an index of ids chosen to share
/// their first bytes, and a slot taken from those bytes would pile them into one probe run (a backup that never ends).
struct BackupIndex {
    /// Slot `i` holds `ids[i]` when `packNumbers[i]` is not 0; the pack is then `packs[packNumbers[i] - 1]`.
    private var ids: [Digest]
    private var packNumbers: [UInt32]
    private var mask: Int
    private(set) var count = 0
    private(set) var packs: [Digest] = []

    /// The most chunks a backup reserves room for before reading the indexes (about 200 MiB of table).
    static let maximumReservation = 1 << 22

    init(capacity: Int) {
        let slots = Self.slots(for: capacity)
        ids = Array(repeating: .zero, count: slots)
        packNumbers = Array(repeating: 0, count: slots)
        mask = slots - 1
    }

    /// The power of two that holds `count` ids at most 3/4 full.
    private static func slots(for count: Int) -> Int {
        var slots = 16
        while slots / 4 * 3 < count { slots *= 2 }
        return slots
    }

    func firstSlot(_ id: Digest) -> Int { id.hashValue & mask }

    /// The number of the pack that holds `id` (its place in `packs`), if any.
    func packNumber(of id: Digest) -> Int? {
        var slot = firstSlot(id)
        while true {
            let number = packNumbers[slot]
            if number == 0 { return nil }
            if ids[slot] == id { return Int(number) - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The pack that holds `id`, if any.
    func pack(of id: Digest) -> Digest? { packNumber(of: id).map { packs[$0] } }

    /// Adds a pack's chunks; a chunk an earlier pack holds keeps that pack.
    mutating func add(_ pack: Digest, records: [(id: Digest, location: ChunkLocation)]) {
        packs.append(pack)
        let number = UInt32(packs.count)
        for record in records { insert(record.id, number: number) }
    }

    private mutating func insert(_ id: Digest, number: UInt32) {
        if (count + 1) > (mask + 1) / 4 * 3 { grow() }
        var slot = firstSlot(id)
        while packNumbers[slot] != 0 {
            if ids[slot] == id { return }
            slot = (slot + 1) & mask
        }
        ids[slot] = id
        packNumbers[slot] = number
        count += 1
    }

    /// Doubles the table: only for a vault with more chunks than its index files' sizes promised or than the
    /// reservation's cap.
    private mutating func grow() {
        let (oldIDs, oldNumbers) = (ids, packNumbers)
        let slots = (mask + 1) * 2
        ids = Array(repeating: .zero, count: slots)
        packNumbers = Array(repeating: 0, count: slots)
        mask = slots - 1
        count = 0
        for slot in oldNumbers.indices where oldNumbers[slot] != 0 { insert(oldIDs[slot], number: oldNumbers[slot]) }
    }
}

extension Vault {
    /// The backup's index of `packs`, in the order given: the rules of ``loadChunkLocations(of:sealers:onlySealed:)``
    /// with `onlySealed` (a pack is used only when present and its index is sealed by one of `sealers(pack)`), with the
    /// indexes read, decoded and their seals checked on `threads` threads, one pack a thread at a time, added in order.
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
        // One pack a thread at a time: a decoded index is ~90 bytes a chunk (2 MiB for a 16 MiB pack) until its ids
        // are in the table, and the load, not the backup after it, set the peak memory of a deduplicated month.
        let group = max(1, threads)
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
