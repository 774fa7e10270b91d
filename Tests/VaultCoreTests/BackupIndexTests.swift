import Foundation
import Testing

@testable import VaultCore

/// The backup's chunk index is an open-addressing table of its own (`BackupIndex`): it must answer as the dictionary it
/// replaced did, first pack winning, also once it grows past the room reserved for it.
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

    /// Ids made to share words (a writer-key holder may seal an index of any ids it likes) still spread over the table
    /// and over a dictionary's buckets: their slot and hash come from all 32 bytes. Taken from the first 8 bytes, all
    /// of these would start at one slot and each insert would walk the whole run before it.
    @Test func idsThatShareWordsStillSpread() {
        let index = BackupIndex(capacity: 40_000)
        let crafted = (0..<2_000).map { number -> Digest in
            var bytes = [UInt8](repeating: 0xab, count: 32)
            withUnsafeBytes(of: UInt64(number).bigEndian) { bytes.replaceSubrange(8..<16, with: $0) }  // only word 2 varies
            return Digest(bytes: bytes)!
        }
        #expect(Set(crafted.map(index.firstSlot)).count > 1_900)
        #expect(Set(crafted.map(\.hashValue)).count == crafted.count)
    }
}
