import Foundation
import VaultTesting

@testable import VaultCore

/// A copy of one vault, made once per test process, for a key holder to forge documents into: an owner snapshot of an
/// export with a directory, a file stored through a chunk list, small files, an empty file and a link; an authorized
/// writer (`pull-host`); a second snapshot, signed by that writer, of the export changed a little; an audit entry by
/// the writer. Forgeries are signed with these real keys, as a thief of them would.
final class ForgedVault {
    /// The vault every copy starts from, with its keys.
    private struct Template: @unchecked Sendable {
        let original: TemporaryVault
        let writer: VaultKeys
    }

    private static let template: Result<Template, any Error> = Result {
        let original = try TemporaryVault()
        let (writer, _) = try original.writerKey(name: "pull-host")
        let export = original.directory.path("export")
        // Seeded, so every run forges the same documents.
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let rows = (0..<40_000).map { "\"001\($0)\",\"Account \(next() % 100_000)\",\"\(next())\"\n" }
        try original.directory.write("Account.csv", Data(rows.joined().utf8), under: "export")
        try original.directory.write("notes/readme.txt", Data("monthly export\n".utf8), under: "export")
        try original.directory.write("empty.csv", Data(), under: "export")
        try FileManager.default.createSymbolicLink(
            atPath: export.appendingPathComponent("current.csv").path, withDestinationPath: "Account.csv")
        _ = try original.vault.backup(
            export, keys: original.owner, label: "2026-10", time: Timestamp.parse("2026-10-01T02:00:00Z")!)
        try original.directory.write("Contact.csv", Data("\"003\",\"Ada\"\n\"004\",\"Grace\"\n".utf8), under: "export")
        try original.directory.write(
            "Account.csv",
            Data((rows.prefix(20_000) + ["\"001X\",\"Changed\",\"1\"\n"] + rows.dropFirst(20_000)).joined().utf8),
            under: "export")
        _ = try original.vault.backup(
            export, keys: writer, label: "2026-11", time: Timestamp.parse("2026-11-01T02:00:00Z")!)
        _ = original.vault.recordAudit(
            AuditEvent(operation: "backup", arguments: ["backup", "<path>"], outcome: "ok"), keys: writer)
        return Template(original: original, writer: writer)
    }

    let directory: TemporaryDirectory
    let url: URL
    let vault: Vault
    let owner: VaultKeys
    let writer: VaultKeys

    init() throws {
        let template = try Self.template.get()
        directory = try TemporaryDirectory("crmvault-forged")
        url = directory.path("vault")
        try FileManager.default.copyItem(at: template.original.url, to: url)
        vault = try Vault.open(at: url)
        owner = template.original.owner
        writer = template.writer
    }

    /// The vault as a new process opens it.
    func reopened() throws -> Vault { try Vault.open(at: url) }

    func verify() throws -> VerifyReport { try reopened().verify() }

    /// Restores the latest snapshot into a fresh directory with the owner's keys.
    func restoreLatest() throws -> (report: RestoreReport, target: URL) {
        let opened = try reopened()
        let target = directory.path("restored-\(UUID().uuidString)")
        let report = try opened.restore(
            try opened.resolveSnapshot("latest", in: try opened.loadChain()), to: target, keys: owner)
        return (report, target)
    }

    /// The latest snapshot's manifest (the writer's), and its canonical bytes.
    func latestManifest() throws -> SnapshotManifest {
        try vault.loadManifest(try vault.loadChain().snapshotEntries.last!).manifest
    }

    /// The next chain entry of `type`, signed by `keys`, as crmvault would start it.
    func nextEntry(_ type: ChainEntry.Kind, signedBy keys: VaultKeys) throws -> ChainEntry {
        let chain = try vault.loadChain()
        return ChainEntry(
            vault: vault.id, sequence: chain.entries.count, previous: chain.headHash, time: "2026-11-02T03:00:00Z",
            signer: keys.signingPublicKey, type: type)
    }

    /// Writes `bytes` as a manifest and commits a snapshot entry naming it, signed by `keys`, with the counts the manifest
    /// gives (when it decodes) and no newly claimed pack; `editEntry` changes the entry before it is signed.
    @discardableResult
    func commit(
        manifestBytes bytes: [UInt8], signedBy keys: VaultKeys, editEntry: (inout ChainEntry) -> Void = { _ in }
    ) throws
        -> String
    {
        let id = SHA256Hasher.hash(bytes)
        try vault.storage.writeDurably(SnapshotManifest.path(id), bytes)
        var entry = try nextEntry(.snapshot, signedBy: keys)
        entry.snapshot = id.hex
        entry.packs = []
        entry.root = MerkleTree.root([id]).hex
        let manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: bytes.dropLast())
        entry.files = manifest?.fileCount ?? 0
        entry.bytesIn = manifest?.bytesIn ?? 0
        entry.bytesStored = 0
        editEntry(&entry)
        try append(entry, signedBy: keys)
        return SnapshotManifest.path(id)
    }

    /// Commits `manifest` (canonical) as the next snapshot.
    @discardableResult
    func commit(
        _ manifest: SnapshotManifest, signedBy keys: VaultKeys, editEntry: (inout ChainEntry) -> Void = { _ in }
    ) throws -> String {
        try commit(manifestBytes: try CanonicalJSON.encode(manifest) + [0x0a], signedBy: keys, editEntry: editEntry)
    }

    /// Commits the latest manifest's canonical text changed by `edit` (for forms a Codable value cannot express).
    @discardableResult
    func commitLatestManifestText(signedBy keys: VaultKeys, _ edit: (String) -> String) throws -> String {
        let text = String(decoding: try CanonicalJSON.encode(try latestManifest()), as: UTF8.self)
        let edited = edit(text)
        precondition(edited != text, "the edit changed nothing")
        return try commit(manifestBytes: Array(edited.utf8) + [0x0a], signedBy: keys)
    }

    /// Signs and writes `entry` as the next chain file with the audit log's head filled in, its canonical body changed by
    /// `edit` first; returns its path.
    @discardableResult
    func append(_ entry: ChainEntry, signedBy keys: VaultKeys, edit: (String) -> String = { $0 }) throws -> String {
        var entry = entry
        let audit = try vault.auditHead()
        if entry.auditCount == nil {
            entry.auditCount = audit.count
            entry.auditHead = audit.head.hex
        }
        let body = Array(edit(String(decoding: try CanonicalJSON.encode(entry), as: UTF8.self)).utf8)
        let document = SignedDocument(body: body, signedBy: keys.signing, domain: SignedDocument.chainDomain)
        let path = ChainEntry.path(sequence: entry.sequence)
        guard try vault.storage.createDurably(path, document.bytes) else {
            throw VaultError(.ioFailed, "\(path) exists")
        }
        return path
    }

    /// Seals `index` with `keys` (or leaves it unsealed) and writes it as the index of its pack.
    func write(_ index: PackIndex, sealedBy keys: VaultKeys?) throws {
        var index = index
        index.seal = nil
        if let keys { index.seal(with: keys) }
        try vault.storage.writeDurably(PackFormat.indexPath(index.pack), index.encoded())
    }

    /// A claimed pack of the latest snapshot, with its index as stored.
    func claimedPack() throws -> (name: Digest, index: PackIndex) {
        let chain = try vault.loadChain()
        let name = try require(chain.claimedPacks.keys.sorted().first)
        return (name, try PackIndex.decode(try vault.storage.read(PackFormat.indexPath(name), limit: ReadLimit.index)))
    }
}

/// `#require` outside a test function body.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw VaultError(.usage, "a forged vault lacks what the test needs") }
    return value
}
