import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Readers of chunk lists of references (docs/FORMAT.md §8): restore and deep verify resolve each short reference among
/// the chunks of the snapshot's own packs, take `resolve`'s id where several begin with it, and refuse the file (and
/// only it) whose list names nothing, is cut off or holds more than it declares; keyless verify checks the list's
/// length and that `resolve`'s ids are there. Lists are written by ``ChunkListForgery`` with the owner's keys.
@Suite(.serialized) struct ChunkReferenceReadingTests {
    private static func contents(_ restored: (report: RestoreReport, target: URL), _ name: String) -> Data? {
        FileManager.default.contents(atPath: restored.target.appendingPathComponent(name).path)
    }

    /// The one failure of a restore, which must be `data.csv`'s, with `small.csv` restored beside it.
    private func refusal(_ restored: (report: RestoreReport, target: URL)) throws -> String {
        #expect(restored.report.filesRestored == 1, "small.csv is restored: \(restored.report.failures)")
        #expect(Self.contents(restored, "small.csv") == ChunkListForgery.small)
        #expect(!FileManager.default.fileExists(atPath: restored.target.appendingPathComponent("data.csv").path))
        let failure = try #require(restored.report.failures.first)
        #expect(restored.report.failures.count == 1 && failure.path == "data.csv" && restored.report.hasDamagedData)
        return failure.reason
    }

    @Test func shortAndFullReferencesRestoreTheFileAndDeepVerifyProvesIt() throws {
        let lists = try ChunkListForgery()
        let references = lists.references(fullAt: 41)  // 41 × 8 = 328: the full reference straddles the first cut
        let (entry, _) = try lists.commit(list: ChunkListForgery.listBytes(references))
        let restored = try lists.restore(entry)
        #expect(restored.report.failures.isEmpty, "\(restored.report.failures)")
        #expect(Self.contents(restored, "data.csv") == lists.data)

        let report = try lists.forged.reopened().verify(ownerKeys: lists.forged.owner)
        let snapshot = try #require(entry.entry.snapshot)
        #expect(!report.damage.contains { $0.snapshot == snapshot }, "\(report.damage)")

        let vault = try lists.forged.reopened()
        let reader = try SnapshotFileReader("data.csv", of: entry, in: vault, keys: lists.forged.owner)
        #expect(reader.chunkIDs == lists.ids, "the replica's reader resolves the same ids")
    }

    @Test func anIDSharingTheFirstWordIsRefusedUntilResolveNamesOne() throws {
        let lists = try ChunkListForgery()
        let shared = lists.ids[5]
        let decoy = ChunkListForgery.sharingFirstWord(with: shared)
        let list = ChunkListForgery.listBytes(lists.references())

        let ambiguous = try lists.commit(list: list, decoys: [decoy]).entry
        let reason = try refusal(try lists.restore(ambiguous))
        #expect(reason.contains("data.csv") && reason.contains("ambiguous reference \(shared.hex.prefix(16))"),
            "\(reason)")

        let resolved = try lists.commit(list: list, decoys: [decoy], resolve: [shared]).entry
        let restored = try lists.restore(resolved)
        #expect(restored.report.failures.isEmpty, "\(restored.report.failures)")
        #expect(Self.contents(restored, "data.csv") == lists.data)

        // `resolve` naming the wrong id is read as that id: its bytes fail their check, never restored silently wrong.
        let misresolved = try lists.commit(list: list, decoys: [decoy], resolve: [decoy]).entry
        let wrong = try refusal(try lists.restore(misresolved))
        #expect(wrong.contains("does not match"), "\(wrong)")
    }

    @Test func aReferenceToNoChunkIsRefusedAsUnknown() throws {
        let lists = try ChunkListForgery()
        var references = lists.references()
        let absent = ChunkListForgery.sharingFirstWord(with: lists.ids[7]).firstWord ^ 0x0100_0000_0000_0000
        references[7] = .short(absent)
        let (entry, _) = try lists.commit(list: ChunkListForgery.listBytes(references))
        let reason = try refusal(try lists.restore(entry))
        #expect(reason.contains("data.csv") && reason.contains("unknown reference"), "\(reason)")

        let report = try lists.forged.reopened().verify(ownerKeys: lists.forged.owner)
        let damage = try #require(report.damage.first { $0.snapshot == entry.entry.snapshot })
        #expect(damage.damagedFiles.count == 1 && damage.damagedFiles[0].contains("unknown reference"), "\(damage)")
        #expect(damage.intactFiles == 1)
    }

    @Test func aListCutOffOrHoldingMoreThanItDeclaresIsRefused() throws {
        let lists = try ChunkListForgery()
        // A full reference at the end, its id cut short by 5 bytes.
        let cutOff = ChunkListForgery.listBytes(lists.references(fullAt: lists.ids.count - 1), dropping: 5)
        let cut = try lists.commit(list: cutOff).entry
        #expect(try refusal(try lists.restore(cut)).contains("ends in the middle of a reference"))

        // All the references, but one fewer declared.
        let all = ChunkListForgery.listBytes(lists.references())
        let more = try lists.commit(list: all, count: lists.ids.count - 1).entry
        #expect(try refusal(try lists.restore(more)).contains("more than the \(lists.ids.count - 1) references"))

        // More bytes than `count` full references take: refused while the list is read.
        let long = try lists.commit(list: all + all + all + all + all + all, count: lists.ids.count, cut: 16_000).entry
        #expect(try refusal(try lists.restore(long)).contains("longer than"))

        // Fewer references than declared.
        let fewer = try lists.commit(list: Array(all.dropLast(8)), count: lists.ids.count).entry
        #expect(try refusal(try lists.restore(fewer)).contains("holds \(lists.ids.count - 1) references"))
    }

    @Test func keylessVerifyChecksTheListLengthAndResolve() throws {
        let lists = try ChunkListForgery()
        let list = ChunkListForgery.listBytes(lists.references())
        // 8 × count + 5 bytes: no mix of short and full references has that length.
        let odd = try lists.commit(list: list + [1, 2, 3, 4, 5]).entry
        let absent = ChunkListForgery.sharingFirstWord(with: lists.ids[3])
        let named = try lists.commit(list: list, resolve: [absent]).entry
        let fine = try lists.commit(list: list, decoys: [absent], resolve: [absent]).entry

        let report = try lists.forged.reopened().verify()
        func problems(_ entry: StoredChainEntry) -> [String] {
            let path = SnapshotManifest.path(Digest(hex: entry.entry.snapshot!)!)
            return report.problems.filter { $0.file == path }.map(\.message)
        }
        #expect(problems(odd).contains { $0.contains("chunk list holds \(list.count + 5) bytes") }, "\(problems(odd))")
        #expect(problems(named).contains { $0.contains("names chunk \(absent.hex.prefix(12)) in `resolve`") },
            "\(problems(named))")
        #expect(!problems(fine).contains { $0.contains("resolve") || $0.contains("chunk list holds") },
            "\(problems(fine))")
    }

    @Test func deepVerifyResolvesEachSnapshotAmongItsOwnPacks() throws {
        let lists = try ChunkListForgery()
        let list = ChunkListForgery.listBytes(lists.references())
        let shared = lists.ids[9]
        // The decoy is in the pack of the second snapshot only: the first still names `shared` alone.
        let clean = try lists.commit(list: list).entry
        let crowded = try lists.commit(list: list, decoys: [ChunkListForgery.sharingFirstWord(with: shared)]).entry

        let report = try lists.forged.reopened().verify(ownerKeys: lists.forged.owner)
        #expect(!report.damage.contains { $0.snapshot == clean.entry.snapshot }, "\(report.damage)")
        let damage = try #require(report.damage.first { $0.snapshot == crowded.entry.snapshot })
        #expect(damage.damagedFiles.count == 1 && damage.damagedFiles[0].hasPrefix("data.csv: ")
            && damage.damagedFiles[0].contains("ambiguous reference \(shared.hex.prefix(16))"), "\(damage)")
    }
}

/// The resolver alone: a word shared in a larger set of ids is decided among the snapshot's own.
struct ChunkResolverTests {
    @Test func aSharedWordIsDecidedAmongTheSnapshotsIDs() throws {
        let id = Digest(bytes: (0..<32).map { UInt8($0 + 1) })!
        let twin = ChunkListForgery.sharingFirstWord(with: id)
        let words = ChunkWords(distinct: [id, twin])
        var everything = ChunkResolver(words, resolve: [])
        #expect(throws: VaultError.self) { try everything.id(for: .short(id.firstWord), in: "f") }
        #expect(throws: VaultError.self) { try everything.id(for: .short(id.firstWord ^ 1), in: "f") }
        var own = ChunkResolver(words, resolve: [], holds: { $0 == twin })
        #expect(try own.id(for: .short(id.firstWord), in: "f") == twin)
        #expect(try own.id(for: .short(id.firstWord), in: "f") == twin, "decided once, then remembered")
        #expect(try own.id(for: .full(id), in: "f") == id)
        var neither = ChunkResolver(words, resolve: [], holds: { _ in false })
        #expect(throws: VaultError.self) { try neither.id(for: .short(id.firstWord), in: "f") }
        var resolved = ChunkResolver(words, resolve: [id.hex])
        #expect(try resolved.id(for: .short(id.firstWord), in: "f") == id)
    }
}
