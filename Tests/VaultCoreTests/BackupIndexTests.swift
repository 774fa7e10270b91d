import Foundation
import Testing

@testable import VaultCore

/// The backup's chunk index is an open-addressing table of its own (`BackupIndex`): it must answer as the dictionary it
/// replaced did, first pack winning, also once it grows past the room reserved for it; and it tells a chunk list which
/// ids may be written short (docs/FORMAT.md §8).
struct BackupIndexTests {
    static func id(_ number: Int) -> Digest {
        Digest(bytes: [UInt8](ParallelRestoreTests.bytes(32, seed: UInt64(number) &+ 9_000)))!
    }

    @Test(arguments: [0, 100, 50_000])
    func answersAsADictionaryFirstPackWinning(reserved: Int) {
        var index = BackupIndex(capacity: reserved)
        var reference: [Digest: Digest] = [:]
        let location = ChunkLocation(pack: .zero, blockOffset: 0, blockLength: 0, offsetInBlock: 0, length: 0)
        for pack in 0..<8 {
            let name = Self.id(1_000_000 + pack)
            // Each pack repeats some chunks of the packs before it: those keep their first pack.
            let records = (pack * 5_000..<(pack * 5_000 + 6_000)).map { (id: Self.id($0), location: location) }
            index.add(name, records: records)
            for record in records where reference[record.id] == nil { reference[record.id] = name }
        }
        #expect(index.count == reference.count)
        #expect(index.packs.count == 8)
        for (id, pack) in reference { #expect(index.pack(of: id) == pack) }
        for absent in 100_000..<101_000 { #expect(index.pack(of: Self.id(absent)) == nil) }
        #expect(index.packNumber(of: Self.id(5_500)) == 0)  // in packs 0 and 1: the first holds it
    }

    /// An id whose first 8 bytes are `prefix` and whose other 24 are those of `number`'s id.
    static func id(_ number: Int, prefix: UInt64) -> Digest {
        var bytes = id(number).bytes
        withUnsafeBytes(of: prefix.bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return Digest(bytes: bytes)!
    }

    static let nowhere = ChunkLocation(pack: .zero, blockOffset: 0, blockLength: 0, offsetInBlock: 0, length: 0)

    /// Ids that differ only past their first 8 bytes start at one slot (so each sees the others), ids that share every
    /// word but the first spread over the table.
    @Test func theProbePathComesFromTheFirstEightBytes() {
        let index = BackupIndex(capacity: 40_000)
        let sharing = (0..<100).map { Self.id($0, prefix: 0xab) }
        #expect(Set(sharing.map { index.firstSlot($0.firstWord) }).count == 1)
        let spread = (0..<2_000).map { Self.id(7, prefix: UInt64($0) << 20) }
        #expect(Set(spread.map { index.firstSlot($0.firstWord) }).count > 1_900)
    }

    /// §8 "Writers": an id is written short only when its first 8 bytes are not zero and begin no other id of the
    /// packs; otherwise in full. The same id in two packs is one id, not a contested one.
    @Test func anIdIsWrittenShortOnlyWhenNoOtherIdBeginsLikeIt() {
        var index = BackupIndex(capacity: 0)
        let alone = Self.id(1), twin = Self.id(2, prefix: alone.firstWord), other = Self.id(3), zero = Self.id(4, prefix: 0)
        let again = Self.id(5)
        index.add(Self.id(100), records: [alone, other, zero, again].map { (id: $0, location: Self.nowhere) })
        index.add(Self.id(101), records: [again].map { (id: $0, location: Self.nowhere) })
        #expect(!index.isContested(alone) && !index.isContested(again))
        #expect(index.reference(to: again) == .short(again.firstWord))
        #expect(index.reference(to: zero) == .full(zero))
        #expect(index.reference(to: Self.id(6)) == .full(Self.id(6)))  // an id the table does not hold
        index.add(Self.id(102), records: [(id: twin, location: Self.nowhere)])
        #expect(index.isContested(alone) && index.isContested(twin) && !index.isContested(other))
        #expect(index.reference(to: alone) == .full(alone))
        #expect(index.reference(to: twin) == .full(twin))
        #expect(index.reference(to: other) == .short(other.firstWord))
        #expect(index.packNumber(of: twin) == 2 && index.packNumber(of: again) == 0)
    }

    /// A chunk the backup stores later that begins like an id already written short puts that id into `resolve`
    /// (returned once); the chunks it stores are found by block, and the contested and written-short marks survive
    /// the table's growth.
    @Test func aLaterChunkThatBeginsLikeAShortIdPutsItIntoResolve() {
        var index = BackupIndex(capacity: 0)
        index.add(Self.id(100), records: [(id: Self.id(1), location: Self.nowhere)])
        let early = Self.id(2)
        #expect(index.addStored(early, block: 0).isEmpty)
        #expect(index.reference(to: early) == .short(early.firstWord))
        #expect(index.reference(to: Self.id(1)) == .short(Self.id(1).firstWord))
        for number in 10..<5_000 { #expect(index.addStored(Self.id(number), block: number / 100).isEmpty) }  // grows
        #expect(index.addStored(Self.id(7_000, prefix: early.firstWord), block: 60) == [early])
        #expect(index.addStored(Self.id(7_001, prefix: Self.id(1).firstWord), block: 61) == [Self.id(1)])
        #expect(index.addStored(Self.id(7_002, prefix: early.firstWord), block: 62).isEmpty)  // not written short since
        #expect(index.reference(to: early) == .full(early))
        #expect(index.holder(of: early) == .block(0) && index.holder(of: Self.id(4_321)) == .block(43))
        #expect(index.holder(of: Self.id(1)) == .pack(0) && index.holder(of: Self.id(9_999)) == nil)
        #expect(!index.isContested(Self.id(4_321)))
    }

    /// A writer-key holder may seal an index of a million ids that share their first 8 bytes: no more than
    /// `maximumSharing` of them are inserted (so no probe walks more), and the word stays contested.
    @Test func idsThatShareTheirFirstBytesAreCappedAndContested() {
        var index = BackupIndex(capacity: 50_000)
        let crafted = (0..<20_000).map { Self.id($0, prefix: 0x0123_4567_89ab_cdef) }
        index.add(Self.id(100), records: crafted.map { (id: $0, location: Self.nowhere) })
        #expect(index.count == BackupIndex.maximumSharing)
        #expect(crafted.prefix(BackupIndex.maximumSharing).allSatisfy { index.packNumber(of: $0) == 0 && index.isContested($0) })
        #expect(index.pack(of: crafted[BackupIndex.maximumSharing]) == nil)
        // A chunk of the backup that begins the same way is stored (its ids are its own) and contested.
        var stored = index
        #expect(stored.addStored(crafted[15_000], block: 0).isEmpty)
        #expect(stored.reference(to: crafted[15_000]) == .full(crafted[15_000]))
    }
}
