import CRMExportGenerator
import Foundation
import Testing

@testable import VaultCore

/// The writer's level policy (CompressionLevels): the vault's level for new data, a harder one once the backup is
/// mostly deduplicated.
struct CompressionLevelTests {
    @Test func theSpareLevelIsUsedOnlyInMostlyDeduplicatedBackups() {
        let levels = CompressionLevels(configured: 3)
        // An initial backup: every chunked byte is new.
        #expect(levels.level(newBytes: 512 << 10, inputBytes: 512 << 10) == 3)
        #expect(levels.level(newBytes: 100 << 20, inputBytes: 300 << 20 - 1) == 3)
        // A later month: a third or less of what was chunked so far is new.
        #expect(levels.level(newBytes: 100 << 20, inputBytes: 300 << 20) == CompressionLevels.spareLevel)
        #expect(levels.level(newBytes: 100, inputBytes: 10 << 20) == CompressionLevels.spareLevel)
        // A vault configured above the spare level never gets a lower one.
        let hard = CompressionLevels(configured: 19)
        #expect(hard.level(newBytes: 1, inputBytes: 100) == 19 && hard.level(newBytes: 100, inputBytes: 100) == 19)
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
        #expect(Double(spare.count) < Double(busy.count) * 0.95,
            "level 12: \(spare.count) bytes, level 3: \(busy.count)")
        for frame in [busy, spare] {
            let plain = try #require(ZstdDecompressor().decompress(frame, expectedSize: block.count))
            #expect(Array(plain.bytes) == block)
        }
    }
}
