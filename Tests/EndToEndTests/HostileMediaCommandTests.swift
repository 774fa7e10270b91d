import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

@testable import VaultCore

/// The commands on vaults whose files were replaced by someone with access to the medium: each must end, in
/// bounded memory, whatever sits where a vault file or directory belongs (issue 6, items 5, 6 and 15).
struct HostileMediaCommandTests {
    static let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": TemporaryVault.passphraseText])
    /// crmvault's own footprint is about 40 MB; a command that reads a FIFO or /dev/zero without bound, or holds a
    /// planted pack's records, goes far past this.
    static let memoryBound = 150 << 10

    /// A vault with a snapshot, an audit entry and a leftover in tmp/; returns the paths of each kind of file in it.
    static func populatedVault() throws -> (vault: TemporaryVault, places: [String: String]) {
        let vault = try TemporaryVault()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("\"001\",\"Acme\"\n".utf8), under: "export"), keys: vault.owner)
        _ = vault.vault.recordAudit(AuditEvent(operation: "backup", arguments: [], outcome: "ok"), keys: vault.owner)
        try vault.directory.write("0011223344556677.tmp", Data("partial".utf8), under: "vault/tmp")
        let pack = try #require(try vault.vault.listPacks().first)
        let manifest = try #require(try vault.files(under: "snapshots").first)
        let places = [
            "config": "config", "owner key": OwnerKeyFile.path, "chain entry": ChainEntry.path(sequence: 1),
            "audit entry": AuditEntry.path(sequence: 0), "manifest": manifest, "pack": PackFormat.packPath(pack),
            "index": PackFormat.indexPath(pack), "lock": "locks/writer.lock", "temp file": "tmp/0011223344556677.tmp",
            "tmp directory": "tmp", "pack directory": "packs/" + pack.hex.prefix(2), "chain directory": "chain",
            "locks directory": "locks", "snapshots directory": "snapshots",
        ]
        return (vault, places)
    }

    static let places = ["config", "owner key", "chain entry", "audit entry", "manifest", "pack", "index", "lock", "temp file",
                         "tmp directory", "pack directory", "chain directory", "locks directory", "snapshots directory"]

    @Test(arguments: places, ["fifo", "/dev/zero"])
    func aFIFOOrALinkToDevZeroInAnyPlaceNeitherHangsNorExhaustsMemory(place: String, kind: String) throws {
        let (vault, paths) = try Self.populatedVault()
        let url = vault.url.appendingPathComponent(try #require(paths[place]))
        try FileManager.default.removeItem(at: url)
        if kind == "fifo" {
            #expect(mkfifo(url.path, 0o644) == 0)
        } else {
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "/dev/zero")
        }
        let export = try vault.directory.write("b.csv", Data("\"002\",\"Globex\"\n".utf8), under: "export2")
        let commands = [
            ["verify", "--vault", vault.url.path], ["snapshots", "--vault", vault.url.path], ["log", "--vault", vault.url.path],
            ["backup", "--vault", vault.url.path, export.path],
            ["restore", "--vault", vault.url.path, "latest", "--to", vault.directory.path("restored").path],
        ]
        for arguments in commands {
            let run = try BoundedRun.run(Self.runner, arguments)
            #expect(!run.timedOut, "\(arguments[0]) hung on a \(kind) as the \(place)")
            #expect(run.status != nil, "\(arguments[0]) died of a signal on a \(kind) as the \(place)")
            #expect(run.maximumResidentKilobytes < Self.memoryBound, "\(arguments[0]) used \(run.maximumResidentKilobytes) kB")
            if arguments[0] == "verify" { #expect(run.status == 1, "verify did not report the \(kind) as the \(place)") }
        }
        #expect(FileManager.default.fileExists(atPath: "/dev/zero"))
    }

    @Test func aRestoreBombStopsAtTheDeclaredSizeInBoundedMemory() throws {
        let vault = try TemporaryVault()
        let writer = try vault.writerBackupOfChunkedExport()
        try Forgery.commitSnapshot(in: vault.vault, signedBy: writer) { manifest in
            let big = manifest.files.first { $0.path == "big.csv" }!
            let small = manifest.files.first { $0.path == "small.csv" }!
            // The issue's bomb: declared size 10, a list chunk repeated 100 times.
            var listBomb = big
            listBomb.path = "bomb-list.csv"
            listBomb.size = 10
            listBomb.content = .init(count: 100 * 512, list: Array(repeating: big.content!.list![0], count: 100))
            // Within every count limit, but its chunks outgrow its declared size after the first.
            var inlineBomb = small
            inlineBomb.path = "bomb-inline.csv"
            inlineBomb.size = 3000
            inlineBomb.content = .init(chunks: Array(repeating: small.content!.chunks![0], count: 200))
            manifest.files = [listBomb, inlineBomb]
        }
        let target = vault.directory.path("restored")
        // Killed if it writes any file past 4 MB (the list bomb alone would make tens of MB of it).
        let restore = try BoundedRun.run(Self.runner, ["restore", "--vault", vault.url.path, "latest", "--to", target.path],
            fileSizeLimit: 4 << 20)
        #expect(restore.status == 1, "restore ended \(restore.status.map { "with \($0)" } ?? "by a signal: it wrote past 4 MB")")
        #expect(restore.maximumResidentKilobytes < Self.memoryBound)
        #expect(((try? FileManager.default.subpathsOfDirectory(atPath: target.path)) ?? []).isEmpty, "a bomb left a file behind")
        #expect(try BoundedRun.run(Self.runner, ["verify", "--vault", vault.url.path]).status == 1)
    }

    @Test func aPlantedPackOfMoreChunksThanAPackMayHoldIsCheckedInBoundedMemory() throws {
        let vault = try TemporaryVault()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("x\n".utf8), under: "export"), keys: vault.owner)
        // 17 blocks of 65,536 one-byte chunks: 1,114,112 chunk ids in 40 MB, more than the format allows in a pack.
        var pack = PackFormat.magic + [UInt8](repeating: 7, count: PackFormat.sealedKeyCount)
        pack.reserveCapacity(pack.count + 17 * (4 + 32 + 65536 * 36 + 16))
        var serial: UInt64 = 0
        let padding = [UInt8](repeating: 0, count: 24)
        for _ in 0..<17 {
            var block = ByteWriter()
            block.append(UInt32(BlockHeader.encodedCount(chunkCount: 65536)))
            block.append([UInt8](repeating: 1, count: 24))
            block.append(UInt32(65536))
            block.append(UInt32(16))
            block.bytes.reserveCapacity(4 + 32 + 65536 * 36 + 16)
            for _ in 0..<65536 {
                serial += 1
                block.append(serial)
                block.append(padding)
                block.append(UInt32(1))
            }
            block.append([UInt8](repeating: 0, count: 16))
            pack += block.bytes
        }
        let name = SHA256Hasher.hash(pack)
        try vault.vault.storage.writeDurably(PackFormat.packPath(name), pack)
        let verify = try BoundedRun.run(Self.runner, ["verify", "--vault", vault.url.path, "--json"])
        #expect(verify.status == 1)
        #expect(verify.maximumResidentKilobytes < Self.memoryBound, "verify used \(verify.maximumResidentKilobytes) kB on a 40 MB pack")
        let report = try vault.reopened().verify()
        #expect(report.problems.contains { $0.file == PackFormat.packPath(name) && $0.message.contains("more than 1048576 chunks") })
    }
}
