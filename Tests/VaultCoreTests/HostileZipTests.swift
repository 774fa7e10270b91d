import Foundation
import Testing
import VaultTesting
import ZIPFoundation

@testable import VaultCore

struct HostileZipTests {
    static let row = Data("\"001\",\"Acme\"\n".utf8)

    static let hostileArchives: [(String, RawZipBuilder)] = [
        ("dot-dot path", RawZipBuilder([.init(name: "../../etc/cron.d/evil", data: row)])),
        ("dot-dot inside path", RawZipBuilder([.init(name: "a/../../b.csv", data: row)])),
        ("absolute path", RawZipBuilder([.init(name: "/etc/passwd", data: row)])),
        ("backslash path", RawZipBuilder([.init(name: "..\\..\\evil.csv", data: row)])),
        ("symlink out of the tree", RawZipBuilder([.init(name: "link", data: Data("/etc/shadow".utf8), isSymlink: true)])),
        ("duplicate names", RawZipBuilder([.init(name: "Account.csv", data: row), .init(name: "Account.csv", data: row)])),
        ("file and directory of the same name", RawZipBuilder([.init(name: "a", data: row), .init(name: "a/b.csv", data: row)])),
        ("broken CRC", RawZipBuilder([.init(name: "Account.csv", data: row, crc: 0xDEAD_BEEF)])),
    ]

    static func vaultFiles(_ vault: TemporaryVault) throws -> [String] {
        try ["chain", "packs", "index", "snapshots"].flatMap { try vault.files(under: $0) }
    }

    /// Backs up `zip` into a vault that holds a snapshot already, and checks that it is refused as hostile input,
    /// naming the zip, with nothing added to the vault; returns the error.
    @discardableResult
    static func expectRefusal(of zip: Data) throws -> VaultError {
        let vault = try TemporaryVault()
        _ = try vault.vault.backup(try vault.directory.write("seed.csv", Data("seed\n".utf8)), keys: vault.owner)
        let before = try Self.vaultFiles(vault)
        let url = try vault.directory.write("hostile.zip", zip)
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(url, keys: vault.owner) }
        #expect(error.code == .hostileInput, "\(error)")
        #expect(error.message.contains("hostile.zip"))
        #expect(try Self.vaultFiles(vault) == before)
        return error
    }

    @Test(arguments: hostileArchives.map(\.0))
    func hostileZipIsRefusedAndNothingIsWritten(name: String) throws {
        try Self.expectRefusal(of: try #require(Self.hostileArchives.first { $0.0 == name }?.1).build())
    }

    @Test func zipBombByRatioIsRefused() throws {
        let vault = try TemporaryVault()
        let bomb = vault.directory.path("bomb.zip")
        let archive = try Archive(url: bomb, accessMode: .create)
        let size = 64 << 20
        try archive.addEntry(with: "Account.csv", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate) { position, count in
            Data(count: count)
        }
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(bomb, keys: vault.owner) }
        #expect(error.code == .hostileInput)
        #expect(error.message.contains("zip bomb"))
        #expect(try Self.vaultFiles(vault).filter { $0.hasPrefix("packs") }.isEmpty)
    }

    @Test func memberLargerThanDeclaredIsRefused() throws {
        let vault = try TemporaryVault()
        // Stored member whose declared uncompressed size is smaller than its data.
        let data = Data(String(repeating: "\"001\",\"Acme\"\n", count: 100).utf8)
        let zip = try vault.directory.write("liar.zip", RawZipBuilder([.init(name: "Account.csv", data: data, declaredSize: 10)]).build())
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(zip, keys: vault.owner) }
        #expect(error.code == .hostileInput)
    }

    @Test func truncatedZipIsRefused() throws {
        let vault = try TemporaryVault()
        let full = RawZipBuilder([.init(name: "Account.csv", data: Self.row)]).build()
        let zip = try vault.directory.write("cut.zip", full.prefix(full.count - 30))
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(zip, keys: vault.owner) }
        #expect(error.code == .hostileInput)
    }

    /// A Data Export zipped again on Windows by an older tool names members `Attachments\00P…`: refused, and the
    /// error says why and what to do rather than calling the name absolute or `..`.
    @Test func windowsBackslashNamesAreRefusedWithTheirCause() throws {
        let zip = RawZipBuilder([
            .init(name: "Account.csv", data: Self.row),
            .init(name: "Attachments\\00P5g00000AbCdEAAV", data: Data([0, 1, 2])),
        ])
        let error = try Self.expectRefusal(of: try zip.build())
        #expect(error.message.contains("Attachments\\00P5g00000AbCdEAAV"))
        #expect(error.message.contains("made on Windows"))
        #expect(!error.message.contains("absolute"))
        #expect(error.remedy?.contains("Unzip it") == true, "\(error)")
    }

    @Test func wellFormedRawZipIsAccepted() throws {
        let vault = try TemporaryVault()
        let zip = try vault.directory.write("ok.zip", RawZipBuilder([.init(name: "dir/Account.csv", data: Self.row)]).build())
        let result = try vault.vault.backup(zip, keys: vault.owner)
        #expect(result.files == 1)
        let target = vault.directory.path("restored")
        _ = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target, keys: vault.owner)
        #expect(try Data(contentsOf: target.appendingPathComponent("dir/Account.csv")) == Self.row)
    }
}
