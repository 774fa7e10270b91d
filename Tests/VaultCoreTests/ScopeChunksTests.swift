import Testing

@testable import VaultCore

/// Deep verify reads every pack's chunk records once for all snapshots (``ScopeChunks``). Each snapshot must still see
/// only its own packs, the first of them that holds a chunk winning, and a chunk counts as checked only when its block
/// was checked in a pack whose scan was sound with a matching index.
struct ScopeChunksTests {
    static func digest(_ byte: UInt8) -> Digest { Digest(bytes: [UInt8](repeating: byte, count: 32))! }

    static func location(_ pack: Digest, block: UInt64, at offset: UInt32 = 0, length: UInt32 = 10) -> ChunkLocation {
        ChunkLocation(pack: pack, blockOffset: block, blockLength: 100, offsetInBlock: offset, length: length)
    }

    /// A pack scan that was sound, with a matching index, and checked the blocks at `blocks`.
    static func scan(_ pack: Digest, blocks: [UInt64]) -> PackScanner.Result {
        PackScanner.Result(hash: pack, size: 1000, index: .matches(seal: nil, recordHash: .zero), openedBlocks: blocks)
    }

    let a = digest(0xA0), b = digest(0xB0), c = digest(0xC0)  // packs
    let x = digest(1), y = digest(2), z = digest(3)  // chunks

    func chunks(checked: CheckedBlocks) -> ScopeChunks {
        var chunks = ScopeChunks()
        // x is in both packs (a's copy in a checked block, b's not), y only in b, z twice in a (first record wins).
        chunks.add([(x, Self.location(a, block: 0)), (z, Self.location(a, block: 0, at: 10)),
            (z, Self.location(a, block: 200))], of: a, checked: checked)
        chunks.add([(x, Self.location(b, block: 0)), (y, Self.location(b, block: 0, at: 10, length: 7))], of: b,
            checked: checked)
        return chunks
    }

    @Test func eachSnapshotSeesOnlyItsOwnPacksFirstPackWinning() {
        var checked = CheckedBlocks()
        checked.add(Self.scan(a, blocks: [0]), pack: a)
        let chunks = chunks(checked: checked)

        let onlyA = chunks.view(of: [a])
        #expect(onlyA.location(of: x) == Self.location(a, block: 0))
        #expect(onlyA.copy(of: x)?.checked == true)
        #expect(onlyA.copy(of: y) == nil, "a chunk of another snapshot's pack must not stand in")
        #expect(onlyA.location(of: z) == Self.location(a, block: 0, at: 10), "a pack's first record of a chunk wins")

        let bThenA = chunks.view(of: [nil, b, a, b])
        #expect(bThenA.location(of: x) == Self.location(b, block: 0), "the first of the snapshot's packs wins")
        #expect(bThenA.copy(of: x)?.checked == false, "b's block was not checked, so x must be read from it")
        #expect(bThenA.copy(of: y)?.length == 7)

        let aThenB = chunks.view(of: [a, b])
        #expect(aThenB.location(of: x) == Self.location(a, block: 0))

        #expect(chunks.view(of: [c]).copy(of: x) == nil)
        #expect(chunks.view(of: []).location(of: z) == nil)
    }

    @Test func aBlockCountsAsCheckedOnlyInASoundPackWithAMatchingIndex() {
        for result in [PackScanner.Result(hash: c, size: 1000, index: .matches(seal: nil, recordHash: .zero),
                           openedBlocks: [0]),  // hashes to another name
                       PackScanner.Result(hash: a, size: 1000, problem: "truncated", index: .matches(seal: nil,
                           recordHash: .zero), openedBlocks: [0]),
                       PackScanner.Result(hash: a, size: 1000, index: nil, openedBlocks: [0])]
        {
            var checked = CheckedBlocks()
            checked.add(result, pack: a)
            let view = chunks(checked: checked).view(of: [a])
            #expect(view.copy(of: x)?.checked == false)
            #expect(view.copy(of: z)?.checked == false)
        }
        var checked = CheckedBlocks()
        checked.add(Self.scan(a, blocks: [200]), pack: a)
        let view = chunks(checked: checked).view(of: [a])
        #expect(view.copy(of: x)?.checked == false, "only the blocks the scan checked count")
        #expect(view.copy(of: z)?.checked == false, "z's first record lies in block 0, which was not checked")
    }
}
