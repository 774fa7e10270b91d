import Foundation

/// The chunks a backup knows, each with where it is: the chunks of the vault's packs it may deduplicate against (with
/// the pack that holds each) and the chunks this backup stored so far (with the block they went into). All a backup
/// needs to know of the vault's index (a chunk's place in its pack is for readers), and what it needs to write chunk
/// lists (docs/FORMAT.md §8): whether an id's first 8 bytes begin another id it knows.
///
/// An open-addressing table (linear probing) of 36 bytes a slot: the 32-byte id and a 4-byte word holding the number
/// of its pack or block and two flags, at most 3/4 full, sized once from the index files' sizes so it never grows by
/// doubling while the vault's indexes are read (it grows as a backup stores more new chunks than it had room for).
/// A slot is found from a seeded hash (Swift's `Hasher`, seeded at random per process) of the id's **first 8 bytes
/// only**, so ids that share them meet on one probe path: inserting or looking up an id walks that path and sees
/// every other id beginning like it, and marks them all **contested**. A writer-key holder may seal an index of ids
/// chosen to share their first bytes, which would pile them into one probe run (a backup that never ends): no more
/// than `maximumSharing` ids of the vault's packs that share their first 8 bytes are inserted; past that the word is
/// contested already (its ids are marked) and the rest are left out (a chunk of theirs in the export is stored again).
/// Chunks this backup stores are always inserted: their ids are keyed hashes it computed itself.
struct BackupIndex {
    /// Where a known chunk is: in the pack `packs[n]`, or in block `n` of this backup.
    enum Holder: Equatable {
        case pack(Int)
        case block(Int)
    }

    /// Slot `i` holds `ids[i]` when `words[i]` is not 0. The low 30 bits of the word are a pack's number in `packs`
    /// plus 1, or, above `packs.count`, a block's number plus `packs.count + 1`; then the two flags.
    private var ids: [Digest]
    private var words: [UInt32]
    private var mask: Int
    private(set) var count = 0
    private(set) var packs: [Digest] = []
    /// Whether a chunk of this backup was inserted (packs can no longer be added: their numbers come first).
    private var hasBlocks = false

    private static let numberMask: UInt32 = (1 << 30) - 1
    /// Another id the table holds (or held past the cap) begins with the same 8 bytes.
    private static let contested: UInt32 = 1 << 30
    /// The id was written as a short reference in a chunk list of this backup.
    private static let writtenShort: UInt32 = 1 << 31

    /// The most chunks a backup reserves room for before reading the indexes (about 200 MiB of table).
    static let maximumReservation = 1 << 22
    /// The most ids of the vault's packs inserted that share their first 8 bytes (an honest vault has two such ids
    /// with a probability of about `n² / 2^65`, and more than two practically never).
    static let maximumSharing = 8

    init(capacity: Int) {
        let slots = Self.slots(for: capacity)
        ids = Array(repeating: .zero, count: slots)
        words = Array(repeating: 0, count: slots)
        mask = slots - 1
    }

    /// The power of two that holds `count` ids at most 3/4 full.
    private static func slots(for count: Int) -> Int {
        var slots = 16
        while slots / 4 * 3 < count { slots *= 2 }
        return slots
    }

    /// The slot where the probe path of every id beginning with `prefix` starts.
    func firstSlot(_ prefix: UInt64) -> Int {
        var hasher = Hasher()
        hasher.combine(prefix)
        return hasher.finalize() & mask
    }

    /// The slot that holds `id`, if any.
    private func slot(of id: Digest) -> Int? {
        var slot = firstSlot(id.firstWord)
        while words[slot] != 0 {
            if ids[slot] == id { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Where `id` is, if the table holds it.
    func holder(of id: Digest) -> Holder? {
        guard let slot = slot(of: id) else { return nil }
        let number = Int(words[slot] & Self.numberMask) - 1
        return number < packs.count ? .pack(number) : .block(number - packs.count)
    }

    /// The number of the pack that holds `id` (its place in `packs`), if a pack does.
    func packNumber(of id: Digest) -> Int? {
        if case .pack(let number) = holder(of: id) { return number }
        return nil
    }

    /// The pack that holds `id`, if any.
    func pack(of id: Digest) -> Digest? { packNumber(of: id).map { packs[$0] } }

    /// Whether another id the table knows begins with the same 8 bytes as `id` (which it holds); true for an id it
    /// does not hold.
    func isContested(_ id: Digest) -> Bool {
        guard let slot = slot(of: id) else { return true }
        return words[slot] & Self.contested != 0
    }

    /// Adds a pack's chunks; a chunk an earlier pack holds keeps that pack. Only before any chunk of this backup.
    mutating func add(_ pack: Digest, records: [(id: Digest, location: ChunkLocation)]) {
        precondition(!hasBlocks && packs.count < Int(Self.numberMask) - 1, "packs are added before the backup's chunks")
        packs.append(pack)
        let number = UInt32(packs.count)
        for record in records { _ = insert(record.id, number: number, isCapped: true) }
    }

    /// Adds a chunk this backup stored in block `block`; returns the ids written short before that begin with the same
    /// 8 bytes (they go into the manifest's `resolve`, §8), each once. The caller checked that the table does not hold it.
    mutating func addStored(_ id: Digest, block: Int) -> [Digest] {
        let number = packs.count + 1 + block
        precondition(block >= 0 && number <= Int(Self.numberMask), "too many blocks for one backup")
        hasBlocks = true
        return insert(id, number: UInt32(number), isCapped: false)
    }

    /// How a chunk list names `id` now (§8 "Writers"): short when its first 8 bytes are not zero and begin no other id
    /// the table knows (the id is then marked as written short), full otherwise. `id` is a chunk the backup holds.
    mutating func reference(to id: Digest) -> ChunkReference {
        guard ChunkReference.canBeShort(id), let slot = slot(of: id), words[slot] & Self.contested == 0 else {
            return .full(id)
        }
        words[slot] |= Self.writtenShort
        return .short(id.firstWord)
    }

    /// Inserts `id` unless the table holds it; marks it and every id on its path that begins like it as contested,
    /// and returns those of them that were written short (once: the mark is cleared, none is written short again). Capped: left out when `maximumSharing` ids begin like it.
    private mutating func insert(_ id: Digest, number: UInt32, isCapped: Bool) -> [Digest] {
        if (count + 1) > (mask + 1) / 4 * 3 { grow() }
        let prefix = id.firstWord
        let start = firstSlot(prefix)
        var slot = start
        var sharing = 0
        while words[slot] != 0 {
            if ids[slot] == id { return [] }
            if ids[slot].firstWord == prefix { sharing += 1 }
            slot = (slot + 1) & mask
        }
        guard sharing > 0 else {
            ids[slot] = id
            words[slot] = number
            count += 1
            return []
        }
        var writtenShort: [Digest] = []
        var other = start
        while other != slot {
            if words[other] != 0 && ids[other].firstWord == prefix {
                if words[other] & Self.writtenShort != 0 { writtenShort.append(ids[other]) }
                words[other] = (words[other] | Self.contested) & ~Self.writtenShort  // reported once
            }
            other = (other + 1) & mask
        }
        if isCapped && sharing >= Self.maximumSharing { return writtenShort }
        ids[slot] = id
        words[slot] = number | Self.contested
        count += 1
        return writtenShort
    }

    /// Doubles the table, keeping every slot's number and flags: for a vault with more chunks than its index files'
    /// sizes promised or than the reservation's cap, and as the backup's own chunks fill it.
    private mutating func grow() {
        let (oldIDs, oldWords) = (ids, words)
        let slots = (mask + 1) * 2
        ids = Array(repeating: .zero, count: slots)
        words = Array(repeating: 0, count: slots)
        mask = slots - 1
        for old in oldWords.indices where oldWords[old] != 0 {
            var slot = firstSlot(oldIDs[old].firstWord)
            while words[slot] != 0 { slot = (slot + 1) & mask }
            ids[slot] = oldIDs[old]
            words[slot] = oldWords[old]
        }
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
