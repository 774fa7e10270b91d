import CRMExportGenerator
import Foundation
import VaultCore
import ZIPFoundation

/// The end-to-end demo behind `crmvault demo`: three months of a generated Salesforce-style export (the
/// first as the vendor's zip), backed up with a writer key, verified keyless, refused to the writer,
/// restored by the owner and compared byte for byte, then verified deep.
///
/// Nouns: the **demo root** (`Vaults/demo/`) holds `exports/`, `vault/`, `writer.key` and `restored/`.
public struct DemoScenario {
    public var root: URL
    public var months = 3
    public var scale = 2000
    public var passphrase: Passphrase
    public var settings = VaultSettings()

    public init(root: URL, passphrase: Passphrase) {
        self.root = root
        self.passphrase = passphrase
    }

    /// Runs the demo, reporting each step through `say`; throws on the first step that fails.
    public func run(say: (String) -> Void) throws {
        try clearPreviousRun()
        let exports = root.appendingPathComponent("exports")
        let generator = CRMExportGenerator(seed: 2026, scale: scale)
        var inputs: [URL] = []
        for month in 0..<months {
            let directory = exports.appendingPathComponent(String(format: "2026-%02d", month + 1))
            try generator.writeMonth(month, to: directory)
            if month == 0 {
                let zip = exports.appendingPathComponent("2026-01.zip")
                try Self.zip(directory, to: zip)
                inputs.append(zip)
            } else {
                inputs.append(directory)
            }
        }
        say("Generated \(months) monthly exports (\(generator.objectNames.joined(separator: ", "))) under \(exports.path)")

        let vaultURL = root.appendingPathComponent("vault")
        let (vault, owner) = try Vault.create(at: vaultURL, passphrase: passphrase, settings: settings)
        say("Created vault \(vault.id) at \(vaultURL.path)")
        say("  owner fingerprint \(vault.ownerFingerprint)")

        let writerKeyURL = root.appendingPathComponent("writer.key")
        _ = try vault.authorizeWriter(owner: owner, name: "demo-pull-host", keyFile: writerKeyURL)
        let writer = try vault.loadWriterKey(from: writerKeyURL)
        say("Wrote a put-only writer key to \(writerKeyURL.path)")

        for (month, input) in inputs.enumerated() {
            let started = Date()
            let result = try vault.backup(input, keys: writer, label: String(format: "2026-%02d", month + 1))
            let seconds = Date().timeIntervalSince(started)
            let percent = 100 * Double(result.bytesStored) / Double(max(result.bytesIn, 1))
            say(String(format: "Backed up %@ as snapshot %@: %d files, %.1f MB in, %.2f MB newly stored (%.1f %%), %.2f s",
                input.lastPathComponent, result.snapshotID.shortForm, result.files, Double(result.bytesIn) / 1e6,
                Double(result.bytesStored) / 1e6, percent, seconds))
        }

        let keyless = try vault.verify()
        guard keyless.isIntact else { throw DemoFailure("keyless verify found \(keyless.problems.count) problems") }
        say("Keyless verify: \(keyless.chainEntries) chain entries, \(keyless.packs) packs, OK")

        let latest = try vault.resolveSnapshot("latest", in: try vault.loadChain())
        let restored = root.appendingPathComponent("restored")
        do {
            _ = try vault.restore(latest, to: restored, keys: writer)
            throw DemoFailure("the writer key was able to restore")
        } catch let error as VaultError where error.code == .readOnlyKey {
            say("The writer key cannot restore, as designed: \(error.message)")
        }

        let report = try vault.restore(latest, to: restored, keys: owner)
        guard report.failures.isEmpty else { throw DemoFailure("restore reported \(report.failures.count) failures") }
        let original = inputs.last!
        for name in try FileManager.default.contentsOfDirectory(atPath: original.path) {
            let a = try Data(contentsOf: original.appendingPathComponent(name))
            let b = try Data(contentsOf: restored.appendingPathComponent(name))
            guard a == b else { throw DemoFailure("\(name) differs after restore") }
        }
        say("Restored the latest snapshot as owner to \(restored.path): \(report.filesRestored) files, byte-identical")

        let deep = try vault.verify(ownerKeys: owner)
        guard deep.isIntact else { throw DemoFailure("deep verify found \(deep.problems.count) problems") }
        say("Deep verify: \(deep.chunks) chunks decrypted and checked, OK")
    }

    private func clearPreviousRun() throws {
        for name in ["exports", "vault", "restored", "writer.key"] {
            let url = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Zips a directory's files the way a vendor's export download is packed (deflate, flat).
    public static func zip(_ directory: URL, to zip: URL) throws {
        let archive = try Archive(url: zip, accessMode: .create)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            try archive.addEntry(with: name, relativeTo: directory, compressionMethod: .deflate)
        }
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "demo failed: " + description }
}
