import CRMExportGenerator
import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

@testable import VaultCore

/// Exports that are hostile by shape rather than by name: what a backup must store so that its own reader accepts
/// it, and what it must refuse before writing anything (issue 6).
struct HostileExportTests {
    /// An export directory of `count` files of six bytes each (`notes/00042.txt` holding `00042\n`, all different)
    /// and a real CSV export, written with plain system calls: fast enough for tens of thousands of files.
    static func writeTinyFiles(_ count: Int, under export: URL) throws {
        try CRMExportGenerator(seed: 3, scale: 40).writeMonth(0, to: export.appendingPathComponent("crm"))
        let notes = export.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        for number in 0..<count {
            let fd = open(notes.appendingPathComponent(String(format: "%05d.txt", number)).path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            #expect(fd >= 0)
            _ = String(format: "%05d\n", number).withCString { write(fd, $0, 6) }
            close(fd)
        }
    }

    @Test func anExportOf70000TinyFilesBacksUpIntoBlocksWithinTheChunkLimitAndRestoresByteExact() throws {
        var settings = TemporaryVault.fastSettings
        settings.blockTarget = 512 << 10  // the default: 65,536 six-byte chunks are far below it
        let vault = try TemporaryVault(settings: settings)
        let export = vault.directory.path("export")
        try Self.writeTinyFiles(70_000, under: export)

        let result = try vault.vault.backup(export, keys: vault.owner)
        #expect(result.files > 70_000)
        let report = try vault.reopened().verify()
        #expect(report.problems.isEmpty, "\(report.problems.prefix(3))")
        #expect(report.chunks > PackFormat.maximumChunksPerBlock)

        let target = vault.directory.path("restored")
        let restored = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner)
        #expect(restored.failures.isEmpty, "\(restored.failures.prefix(3))")
        #expect(try DirectoryComparison.differences(between: export, and: target).isEmpty)
    }

    @Test func aFileOfMoreChunksThanABlockMayHoldIsSplitAcrossBlocks() throws {
        var settings = TemporaryVault.fastSettings
        settings.chunker = ChunkerParameters(minimum: 64, average: 128, maximum: 1024, alignment: "none")
        settings.blockTarget = 32 << 20  // far above 65,536 chunks of this size: only the chunk-count limit ends a block
        let vault = try TemporaryVault(settings: settings)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15  // xorshift64: incompressible, and the same bytes every run
        var words: [UInt64] = []
        words.reserveCapacity(12 << 17)
        for _ in 0..<(12 << 17) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words.append(state)
        }
        let bytes = words.withUnsafeBytes { Data($0) }
        let export = try vault.directory.write("big.bin", bytes)
        _ = try vault.vault.backup(export, keys: vault.owner)
        let report = try vault.reopened().verify(ownerKeys: vault.owner)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.chunks > PackFormat.maximumChunksPerBlock)
        let target = vault.directory.path("restored")
        #expect(try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner).failures.isEmpty)
        #expect(try Data(contentsOf: target.appendingPathComponent("big.bin")) == bytes)
    }

    @Test func aWriterRefusesABlockOutsideTheFormatsLimits() {
        #expect(throws: VaultError.self) { try PackFormat.checkLimits(chunkLengths: Array(repeating: 1, count: 65_537)) }
        #expect(throws: VaultError.self) { try PackFormat.checkLimits(chunkLengths: []) }
        #expect(throws: VaultError.self) { try PackFormat.checkLimits(chunkLengths: [0]) }
        #expect(throws: VaultError.self) { try PackFormat.checkLimits(chunkLengths: [(16 << 20) + 1]) }
        #expect(throws: VaultError.self) { try PackFormat.checkLimits(chunkLengths: Array(repeating: 16 << 20, count: 5)) }
        #expect(throws: Never.self) { try PackFormat.checkLimits(chunkLengths: Array(repeating: 1, count: 65_536)) }
    }

    @Test func aConfigWhoseBlockTargetWouldOverflowABlockIsRefused() throws {
        var settings = TemporaryVault.fastSettings
        settings.blockTarget = 64 << 20
        #expect(throws: VaultError.self) { try TemporaryVault(settings: settings) }
    }
}
