import Foundation
import Testing

@testable import VaultCore

struct ChunkerTests {
    static func chunker(_ parameters: ChunkerParameters = .default, seed: UInt8 = 1) -> ContentDefinedChunker {
        var key = [UInt8](repeating: seed, count: 32)
        return ContentDefinedChunker(parameters: parameters, key: SecretBytes(consuming: &key))
    }

    static func csv(records: Range<Int>) -> [UInt8] {
        Array(records.map { "\"001\($0)\",\"Company \($0)\",\"Street \($0 * 7)\",\"\($0 % 97)\",\"note \($0 * 31)\"\n" }.joined().utf8)
    }

    static func lengths(_ data: [UInt8], _ chunker: ContentDefinedChunker) -> [Int] {
        var lengths: [Int] = []
        var start = 0
        data.withUnsafeBytes { all in
            while start < data.count {
                let length = chunker.nextChunkLength(in: UnsafeRawBufferPointer(rebasing: all[start...]))
                lengths.append(length)
                start += length
            }
        }
        return lengths
    }

    @Test func chunksRespectBoundsAndEndAtRecordBoundaries() {
        let data = Self.csv(records: 0..<20000)
        let chunker = Self.chunker()
        let lengths = Self.lengths(data, chunker)
        #expect(lengths.reduce(0, +) == data.count)
        #expect(lengths.dropLast().allSatisfy { $0 >= 512 && $0 <= 16384 })
        var offset = 0
        for length in lengths {
            offset += length
            #expect(data[offset - 1] == 0x0a)
        }
        let average = data.count / lengths.count
        #expect(average > 1024 && average < 6000)
    }

    @Test func aChangedRecordChangesOnlyTheChunksAroundIt() {
        let chunker = Self.chunker()
        var before = Self.csv(records: 0..<20000)
        let original = Self.lengths(before, chunker)
        let marker = Array("\"0011234\"".utf8)
        let position = before.indices.first { before[$0...].starts(with: marker) }!
        before.replaceSubrange(position..<(position + 9), with: Array("\"00112345678\"".utf8))
        let changed = Self.lengths(before, chunker)
        // Same cut points before the change, and the stream resynchronises after it.
        #expect(Array(original.prefix(5)) == Array(changed.prefix(5)))
        #expect(Array(original.suffix(20)) == Array(changed.suffix(20)))
    }

    @Test func theChunkerKeyChangesTheBoundaries() {
        let data = Self.csv(records: 0..<5000)
        #expect(Self.lengths(data, Self.chunker(seed: 1)) != Self.lengths(data, Self.chunker(seed: 2)))
    }
}

struct EncodingTests {
    struct Sample: Codable {
        var b: String
        var a: Int
        var c: [String]
    }

    @Test func canonicalJSONSortsKeysAndEscapesMinimally() throws {
        let bytes = try CanonicalJSON.encode(Sample(b: "x/y \"q\" \u{1}\n é", a: 7, c: []))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":7,"b":"x/y \"q\" \u0001\n é","c":[]}"#)
    }

    @Test func merkleRootMatchesRFC6962ForSmallTrees() {
        let leaves = (0..<3).map { SHA256Hasher.hash([UInt8($0)]) }
        let l = leaves.map { SHA256Hasher.hash([0x00] + $0.bytes) }
        let expected = SHA256Hasher.hash([0x01] + SHA256Hasher.hash([0x01] + l[0].bytes + l[1].bytes).bytes + l[2].bytes)
        #expect(MerkleTree.root(leaves) == expected)
    }

    @Test func packIndexRoundTrips() throws {
        let pack = SHA256Hasher.hash([1])
        let index = PackIndex(pack: pack, records: [(SHA256Hasher.hash([2]), ChunkLocation(
            pack: pack, blockOffset: 88, blockLength: 300, offsetInBlock: 0, length: 4096))])
        #expect(try PackIndex.decode(index.encoded()) == index)
    }
}
