import CRMExportGenerator
import Foundation
import Testing

@testable import VaultCore

/// The writer's level policy (CompressionLevels): the vault's level while blocks wait, a harder one when none does.
struct CompressionLevelTests {
    @Test func theSpareLevelIsUsedOnlyWhenNoBlockWaits() {
        let levels = CompressionLevels(configured: 3)
        #expect(levels.level(blocksWaiting: 0) == CompressionLevels.spareLevel)
        #expect(levels.level(blocksWaiting: 1) == 3)
        #expect(levels.level(blocksWaiting: 4) == 3)
        // A vault configured above the spare level never gets a lower one.
        let hard = CompressionLevels(configured: 19)
        #expect(hard.level(blocksWaiting: 0) == 19 && hard.level(blocksWaiting: 2) == 19)
    }

    @Test func aBlockAtTheSpareLevelIsSmallerAndReadsBackTheSame() throws {
        var block: [UInt8] = []
        CRMExportGenerator(seed: 11, scale: 400).forEachMonth(0...0) { _, files in
            for file in files where block.count < 512 << 10 { block += file.contents.prefix((512 << 10) - block.count) }
        }
        #expect(block.count == 512 << 10)
        let compressor = ZstdCompressor(level: 3)
        let busy = try block.withUnsafeBytes { try compressor.compress($0) }
        compressor.level = Int32(CompressionLevels.spareLevel)
        let spare = try block.withUnsafeBytes { try compressor.compress($0) }
        #expect(Double(spare.count) < Double(busy.count) * 0.95, "level 12: \(spare.count) bytes, level 3: \(busy.count)")
        for frame in [busy, spare] {
            let plain = try #require(ZstdDecompressor().decompress(frame, expectedSize: block.count))
            #expect(Array(plain.bytes) == block)
        }
    }
}
