import Foundation
import VaultCore

/// A vault in a temporary directory with a fixed test passphrase and the cheapest Argon2id setting
/// (`PassphraseKDF.insecureForTestsOnly`), so tests stay fast. Never use these settings for real data.
public final class TemporaryVault: @unchecked Sendable {
    public static let passphraseText = "correct horse battery staple"
    public let directory: TemporaryDirectory
    public let vault: Vault
    public let owner: VaultKeys

    public var url: URL { directory.path("vault") }

    public init(settings: VaultSettings = TemporaryVault.fastSettings) throws {
        directory = try TemporaryDirectory("crmvault-vault")
        (vault, owner) = try Vault.create(
            at: directory.path("vault"), passphrase: Passphrase(Self.passphraseText), settings: settings)
    }

    /// Test settings: weakest KDF, small packs so tests see several of them.
    public static var fastSettings: VaultSettings {
        var settings = VaultSettings()
        settings.kdf = .insecureForTestsOnly
        settings.packTarget = 1 << 20
        settings.blockTarget = 128 << 10
        return settings
    }

    /// Re-opens the vault from disk, as a new process would.
    public func reopened() throws -> Vault { try Vault.open(at: url) }

    /// A writer key authorized in this vault, loaded back from its 0600 key file.
    public func writerKey(name: String = "test-writer") throws -> (keys: VaultKeys, file: URL) {
        let file = directory.path("\(name).key")
        _ = try vault.authorizeWriter(owner: owner, name: name, keyFile: file)
        return (try vault.loadWriterKey(from: file), file)
    }

    /// Authorizes a writer and backs up, with it, `export/big.csv` (enough chunks that its manifest entry stores a
    /// chunk list) and `export/small.csv` (its chunk ids inline): material for manifests a key holder crafts.
    public func writerBackupOfChunkedExport() throws -> VaultKeys {
        let (writer, _) = try writerKey()
        let rows = (0..<60_000).map { "\"\($0)\",\"Account \($0 * 7919 % 10007)\"\n" }.joined()
        try directory.write("big.csv", Data(rows.utf8), under: "export")
        try directory.write("small.csv", Data(rows.prefix(6000).utf8), under: "export")
        _ = try vault.backup(directory.path("export"), keys: writer)
        return writer
    }

    /// All vault files under `directory` (relative paths), for corruption tests.
    public func files(under subdirectory: String) throws -> [String] {
        let root = url.appendingPathComponent(subdirectory)
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .filter { !FileManager.default.isDirectory(root.appendingPathComponent($0)) }
            .map { subdirectory + "/" + $0 }.sorted()
    }

    /// Flips one bit of a vault file at `offset` (negative counts from the end).
    public func flipBit(in relative: String, at offset: Int) throws {
        let file = url.appendingPathComponent(relative)
        var bytes = try Data(contentsOf: file)
        let index = offset >= 0 ? offset : bytes.count + offset
        bytes[index] ^= 0x01
        try bytes.write(to: file)
    }
}

extension FileManager {
    func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
