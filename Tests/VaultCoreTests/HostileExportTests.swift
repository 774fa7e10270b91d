import CRMExportGenerator
import Foundation
import Testing
import VaultTesting
import ZIPFoundation

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

    /// Damage that leaves a zip's end record readable: each once made the archive read as empty or partial.
    static let damagedZips: [(String, @Sendable (inout Data) -> Void)] = [
        ("entry count zeroed", { zip in zip.replaceSubrange((zip.count - 14)..<(zip.count - 10), with: [0, 0, 0, 0]) }),
        ("entry count one too high", { zip in zip[zip.count - 12] += 1; zip[zip.count - 14] += 1 }),
        ("directory offset off by one", { zip in zip[zip.count - 6] += 1 }),
        ("4 KB lost mid-download", { zip in zip.removeSubrange(1000..<(1000 + 4096)) }),
        ("bytes appended", { zip in zip.append(Data(repeating: 0x41, count: 300)) }),
        ("a directory entry damaged", { zip in
            let second = zip.indices.filter { zip[$0...].starts(with: [0x50, 0x4b, 0x01, 0x02]) }[1]
            zip[second + 1] ^= 0xff
        }),
    ]

    @Test(arguments: damagedZips.map(\.0))
    func aZipWithADamagedCentralDirectoryIsRefusedAndNothingIsWritten(damage: String) throws {
        let rows = Data(String(repeating: "\"001\",\"Acme\",\"Zürich\"\n", count: 150).utf8)
        var zip = RawZipBuilder((1...4).map { RawZipBuilder.Member(name: "Object\($0).csv", data: rows) }).build()
        try #require(Self.damagedZips.first { $0.0 == damage }).1(&zip)
        try HostileZipTests.expectRefusal(of: zip)
    }

    @Test func aZipOfManySmallCompressibleMembersIsRefusedByItsWholeRatio() throws {
        let vault = try TemporaryVault()
        let bomb = vault.directory.path("bomb.zip")
        let archive = try Archive(url: bomb, accessMode: .create)
        for member in 0..<20 {  // each 1 MiB, under the per-member rule; 20 MiB from about 20 KB in all
            try archive.addEntry(with: "part\(member).csv", type: .file, uncompressedSize: Int64(1 << 20), compressionMethod: .deflate) { _, count in
                Data(count: count)
            }
        }
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(bomb, keys: vault.owner) }
        #expect(error.code == .hostileInput)
        #expect(error.message.contains("20 members expand to 20971520 bytes"))
        #expect(try vault.files(under: "packs").isEmpty)
    }

    @Test func namesThatAreNotUTF8AreSkippedWithAnEscapedWarningAndTheRestIsBackedUp() throws {
        let vault = try TemporaryVault()
        let export = vault.directory.path("export")
        try vault.directory.write("Account.csv", Data("\"001\",\"Acme\"\n".utf8), under: "export")
        let prefix = Array(export.path.utf8) + [0x2f]
        let file = prefix + Array("bad".utf8) + [0xff, 0x1b] + Array(".csv".utf8)
        let directory = prefix + Array("dir".utf8) + [0xc3, 0x28]
        let fd = (file + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { creat($0.baseAddress!, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        #expect((directory + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) } } == 0)

        let result = try vault.vault.backup(export, keys: vault.owner)
        #expect(result.files == 1)
        #expect(result.skipped.sorted() == ["bad\\xff\\e.csv (its name is not valid UTF-8)", "dir\\xc3( (its name is not valid UTF-8)"])
        #expect(try vault.reopened().verify().problems.isEmpty)
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
