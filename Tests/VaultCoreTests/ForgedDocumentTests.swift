import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Documents a thief of the vault's real owner or writer key can sign, one per rule of docs/FORMAT.md: each is
/// validly signed, so only the rule catches it. Keyless verify must report it (a problem, so exit 1) naming the rule's
/// section and the signer, and restore must not use it (issue 9).
@Suite(.serialized)
struct ForgedDocumentTests {
    static let writerRole = "writer pull-host"

    /// The problem verify reports for a broken rule of `section`, signed by `signer`, whose message holds `text`.
    @discardableResult
    static func expectBroken(
        _ forged: ForgedVault, _ section: String, by signer: String?, _ text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> VerifyProblem? {
        let report = try forged.verify()
        let match = report.problems.first {
            $0.rule == section && $0.signedBy == signer && (text.isEmpty || $0.message.contains(text))
        }
        #expect(
            match != nil,
            "no \(section) problem signed by \(signer ?? "nobody") saying \"\(text)\" in \(report.problems.map(\.message))",
            sourceLocation: sourceLocation)
        #expect(!report.isIntact, sourceLocation: sourceLocation)
        return match
    }

    /// Restore of the latest snapshot refuses the whole snapshot (its manifest or chain entry breaks a rule).
    static func expectRestoreRefused(_ forged: ForgedVault, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: VaultError.self, sourceLocation: sourceLocation) { try forged.restoreLatest() }
    }

    /// Restore of the latest snapshot refuses `path` and restores nothing in its place.
    static func expectFileRefused(
        _ forged: ForgedVault, _ path: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (report, target) = try forged.restoreLatest()
        #expect(report.failures.contains { $0.path == path }, "\(report.failures)", sourceLocation: sourceLocation)
        #expect(
            !FileManager.default.fileExists(atPath: target.appendingPathComponent(path).standardizedFileURL.path),
            sourceLocation: sourceLocation)
    }

    /// The latest manifest with `edit` applied to its file at `path`, files kept sorted, committed by the writer.
    static func commitEditedFile(
        _ forged: ForgedVault, _ path: String, edit: (inout SnapshotManifest.Entry) -> Void
    ) throws {
        var manifest = try forged.latestManifest()
        let index = try #require(manifest.files.firstIndex { $0.path == path })
        edit(&manifest.files[index])
        manifest.files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        manifest.bytesIn = manifest.files.reduce(0) { $0 + ($1.type == "file" ? $1.size ?? 0 : 0) }
        try forged.commit(manifest, signedBy: forged.writer)
    }

    // MARK: - Manifests (§8)

    @Test(arguments: ["../escape.txt", "/etc/x", "notes/./readme.txt", "notes//readme.txt"])
    func aPathOutsideTheTreeOrNotNormalizedIsReportedAndNotRestored(path: String) throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "notes/readme.txt") { $0.path = path }
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "is not a relative, normalized path")
        try Self.expectFileRefused(forged, path)
    }

    @Test func aDuplicatedPathIsReportedAndTheSnapshotRefused() throws {
        let forged = try ForgedVault()
        var manifest = try forged.latestManifest()
        let file = try #require(manifest.files.first { $0.path == "Contact.csv" })
        manifest.files.insert(file, at: manifest.files.firstIndex { $0.path == "Contact.csv" }!)
        manifest.bytesIn += file.size ?? 0
        try forged.commit(manifest, signedBy: forged.writer)
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "appears twice in `files`")
        Self.expectRestoreRefused(forged)
    }

    @Test func unsortedPathsAreReportedAndTheSnapshotRefused() throws {
        let forged = try ForgedVault()
        var manifest = try forged.latestManifest()
        manifest.files.reverse()
        try forged.commit(manifest, signedBy: forged.writer)
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "is not sorted by path")
        Self.expectRestoreRefused(forged)
    }

    @Test func aManifestOfVersionTwoIsReportedAndRefused() throws {
        let forged = try ForgedVault()
        try forged.commitLatestManifestText(signedBy: forged.writer) {
            $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":2")
        }
        try Self.expectBroken(forged, "§13", by: Self.writerRole, "knows version 1 only")
        Self.expectRestoreRefused(forged)
    }

    @Test func aKeyAVersionOneReaderDoesNotKnowIsReportedAndRefused() throws {
        let forged = try ForgedVault()
        try forged.commitLatestManifestText(signedBy: forged.writer) { "{\"aaa\":1," + $0.dropFirst() }
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "which a version 1 reader does not know")
        Self.expectRestoreRefused(forged)
    }

    /// Each edit leaves the manifest meaning the same to a lenient parser, so only the canonical form rule catches it.
    static let nonCanonicalForms: [(String, @Sendable (String) -> String)] = [
        ("a space", { (text: String) in text.replacingOccurrences(of: ",\"label\":", with: ", \"label\":") }),
        (
            "unsorted keys",
            { (text: String) in
                let range = text.range(of: #""bytesIn":[0-9]+,"#, options: .regularExpression)!
                return String(text.replacingCharacters(in: range, with: "").dropLast()) + ","
                    + String(text[range].dropLast()) + "}"
            }
        ),
        (
            "a needless escape",
            { (text: String) in text.replacingOccurrences(of: "\"sealed\":", with: "\"\\u0073ealed\":") }
        ),
        (
            "an escaped slash",
            { (text: String) in text.replacingOccurrences(of: "notes/readme.txt", with: "notes\\/readme.txt") }
        ),
        (
            "a time with a fraction",
            { (text: String) in text.replacingOccurrences(of: "02:00:00Z", with: "02:00:00.000Z") }
        ),
        (
            "a time with an offset",
            { (text: String) in text.replacingOccurrences(of: "02:00:00Z", with: "02:00:00+00:00") }
        ),
        (
            "an uppercase digest",
            { (text: String) in
                let range = text.range(of: #""digest":"[0-9a-f]{64}""#, options: .regularExpression)!
                return text.replacingCharacters(
                    in: range, with: text[range].uppercased().replacingOccurrences(of: "\"DIGEST\"", with: "\"digest\"")
                )
            }
        ),
        (
            "a leading zero",
            { (text: String) in text.replacingOccurrences(of: "\"version\":1", with: "\"version\":01") }
        ),
    ]

    @Test(arguments: nonCanonicalForms)
    func aManifestThatIsNotExactlyCanonicalIsReportedAndRefused(form: String, edit: @Sendable (String) -> String) throws
    {
        let forged = try ForgedVault()
        try forged.commitLatestManifestText(signedBy: forged.writer, edit)
        let problem = try Self.expectBroken(forged, "§2", by: Self.writerRole, "")
        #expect(problem?.file.hasPrefix("snapshots/") == true, "\(form)")
        Self.expectRestoreRefused(forged)
    }

    @Test func moreThan256InlineChunkIdsAreReportedAndTheFileRefused() throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "notes/readme.txt") { file in
            file.content = .init(chunks: Array(repeating: file.content!.chunks![0], count: 257))
            file.size = 257 * file.size!
        }
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "lists 257 chunk ids inline (at most 256)")
        try Self.expectFileRefused(forged, "notes/readme.txt")
    }

    @Test func aChunkListForAFewChunksIsReportedAndRefused() throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "notes/readme.txt") { file in
            file.content = .init(count: 1, list: file.content!.chunks!)
        }
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "`files[")
        Self.expectRestoreRefused(forged)
    }

    @Test func aSizeTheChunksDoNotAddUpToIsReportedKeylessAndNotRestored() throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "notes/readme.txt") { $0.size! += 1 }
        try Self.expectBroken(
            forged, "§8", by: Self.writerRole, "records 16 bytes for notes/readme.txt, but its chunks hold 15")
        try Self.expectFileRefused(forged, "notes/readme.txt")
    }

    static let outOfRangeValues: [(String, @Sendable (inout SnapshotManifest.Entry) -> Void)] = [
        ("an unknown type", { (file: inout SnapshotManifest.Entry) in file.type = "fifo" }),
        (
            "nanoseconds of a whole second",
            { (file: inout SnapshotManifest.Entry) in file.mtimeNanoseconds = 1_000_000_000 }
        ),
        ("a mode beyond 7777", { (file: inout SnapshotManifest.Entry) in file.mode = 0o10644 }),
    ]

    @Test(arguments: outOfRangeValues)
    func aValueOutOfRangeIsReportedAndRefused(
        value: String, edit: @Sendable (inout SnapshotManifest.Entry) -> Void
    ) throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "notes/readme.txt", edit: edit)
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "`files[")
        Self.expectRestoreRefused(forged)
    }

    @Test func aFilePackNumberOutOfRangeIsReportedAndTheFileRefused() throws {
        let forged = try ForgedVault()
        var manifest = try forged.latestManifest()
        let index = try #require(manifest.files.firstIndex { $0.path == "notes/readme.txt" })
        manifest.files[index].packs! += [manifest.packs.count]  // its own packs still used, so only the file is refused
        try forged.commit(manifest, signedBy: forged.writer)
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "names pack \(manifest.packs.count)")
        try Self.expectFileRefused(forged, "notes/readme.txt")
    }

    @Test func aSymlinkWithAnotherModeIsReportedAndRefused() throws {
        let forged = try ForgedVault()
        try Self.commitEditedFile(forged, "current.csv") { $0.mode = 0o4755 }
        try Self.expectBroken(forged, "§8", by: Self.writerRole, "a symlink's mode is 777")
        try Self.expectFileRefused(forged, "current.csv")
    }

    // MARK: - Chain entries (§9)

    @Test func aDuplicateKeyInASignedChainEntryIsReportedAndTheChainRefused() throws {
        let forged = try ForgedVault()
        let chain = try forged.vault.loadChain()
        let (first, latest) = (chain.snapshotEntries.first!.entry, chain.snapshotEntries.last!.entry)
        var entry = try forged.nextEntry(.snapshot, signedBy: forged.writer)
        (entry.snapshot, entry.files, entry.bytesIn, entry.packs, entry.bytesStored) = (
            latest.snapshot, latest.files, latest.bytesIn, [], 0
        )
        entry.root = MerkleTree.root([Digest(hex: latest.snapshot!)!]).hex
        // One signature, two snapshots: a parser taking the first value sees the owner's, one taking the last the writer's.
        try forged.append(entry, signedBy: forged.writer) {
            $0.replacingOccurrences(of: "\"snapshot\":\"", with: "\"snapshot\":\"\(first.snapshot!)\",\"snapshot\":\"")
        }
        try Self.expectBroken(forged, "§2", by: Self.writerRole, "appears twice")
        Self.expectRestoreRefused(forged)
    }

    @Test func aChainEntryOfVersionTwoIsReported() throws {
        let forged = try ForgedVault()
        var entry = try forged.nextEntry(.authorizeWriter, signedBy: forged.owner)
        (entry.writer, entry.name) = (SHA256Hasher.hash(Array("second".utf8)).hex, "second")
        try forged.append(entry, signedBy: forged.owner) {
            $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":2")
        }
        try Self.expectBroken(forged, "§13", by: "owner", "knows version 1 only")
        Self.expectRestoreRefused(forged)
    }

    @Test func aSecondInitEntryIsReported() throws {
        let forged = try ForgedVault()
        var entry = try forged.nextEntry(.initialize, signedBy: forged.owner)
        entry.config = try forged.vault.loadChain().entries[0].entry.config
        try forged.append(entry, signedBy: forged.owner)
        try Self.expectBroken(forged, "§9", by: "owner", "`init` is always entry 0 and only entry 0")
        Self.expectRestoreRefused(forged)
    }

    @Test func aPackClaimedAgainIsReported() throws {
        let forged = try ForgedVault()
        let latest = try forged.vault.loadChain().snapshotEntries.last!.entry
        let bytes = try forged.vault.storage.read(
            SnapshotManifest.path(Digest(hex: latest.snapshot!)!), limit: ReadLimit.manifest)
        try forged.commit(manifestBytes: bytes, signedBy: forged.writer) { entry in
            entry.packs = latest.packs
            entry.bytesStored = latest.bytesStored
            entry.root = latest.root
        }
        try Self.expectBroken(forged, "§9", by: Self.writerRole, "which chain entry \(latest.sequence) already claimed")
        Self.expectRestoreRefused(forged)
    }

    static let wrongTotals: [(String, @Sendable (inout ChainEntry) -> Void)] = [
        ("bytesStored", { (entry: inout ChainEntry) in entry.bytesStored = 12_345 }),
        ("bytesIn", { (entry: inout ChainEntry) in entry.bytesIn! += 1 }),
        ("files", { (entry: inout ChainEntry) in entry.files! += 1 }),
    ]

    @Test(arguments: wrongTotals)
    func aSnapshotEntryWhoseTotalsDisagreeIsReportedAndRefused(
        key: String, edit: @Sendable (inout ChainEntry) -> Void
    ) throws {
        let forged = try ForgedVault()
        try forged.commit(try forged.latestManifest(), signedBy: forged.writer, editEntry: edit)
        let problem = try Self.expectBroken(forged, "§9", by: Self.writerRole, "has `\(key)`")
        #expect(problem?.file.hasPrefix("chain/") == true)
        Self.expectRestoreRefused(forged)
    }

    // MARK: - Audit log (§12)

    @Test func anAuditEntryOfVersionTwoIsReported() throws {
        let forged = try ForgedVault()
        let newest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: forged.url.appendingPathComponent("audit").path).max())
        let path = "audit/" + newest  // the writer's
        let document = try #require(
            SignedDocument(parsing: try forged.vault.storage.read(path, limit: ReadLimit.auditEntry)))
        let body = String(decoding: document.body, as: UTF8.self).replacingOccurrences(
            of: "\"version\":1", with: "\"version\":2")
        try forged.vault.storage.writeDurably(
            path,
            SignedDocument(
                body: Array(body.utf8), signedBy: forged.writer.signing,
                domain: AuditEntry.domain
            ).bytes)
        try Self.expectBroken(forged, "§13", by: Self.writerRole, "knows version 1 only")
    }

    // MARK: - Indexes and leftovers (§7, §9)

    @Test func anUnsealedIndexIsReported() throws {
        let forged = try ForgedVault()
        let (_, index) = try forged.claimedPack()
        try forged.write(index, sealedBy: nil)
        try Self.expectBroken(forged, "§7", by: nil, "carries no seal")
    }

    /// A backup killed after renaming its pack into place: the pack is a leftover while its sealed index is there, and
    /// a problem without it.
    @Test func anUnclaimedPackIsALeftoverOnlyWithItsSealedIndex() throws {
        let forged = try ForgedVault()
        let export = try forged.directory.write(
            "Lead.csv", Data(String(repeating: "\"00Q\",\"Lead\"\n", count: 3000).utf8), under: "more")
        _ = try forged.vault.backup(
            export.deletingLastPathComponent(), keys: forged.writer, label: "killed",
            time: Timestamp.parse("2026-11-03T02:00:00Z")!)
        let chain = try forged.vault.loadChain()
        let killed = try #require(chain.entries.last)
        let pack = try #require(killed.entry.packs?.first.flatMap(Digest.init(hex:)))
        try FileManager.default.removeItem(
            at: forged.url.appendingPathComponent(ChainEntry.path(sequence: killed.entry.sequence)))
        let report = try forged.verify()
        #expect(report.problems.isEmpty, "\(report.problems.map(\.message))")
        #expect(report.leftovers.contains(PackFormat.packPath(pack)))
        #expect(report.leftovers.contains(SnapshotManifest.path(Digest(hex: killed.entry.snapshot!)!)))

        try FileManager.default.removeItem(at: forged.url.appendingPathComponent(PackFormat.indexPath(pack)))
        try Self.expectBroken(forged, "§9", by: nil, "is claimed by no chain entry and has no index")
    }

    @Test func aClaimedPackInTheWrongFanOutFolderIsAProblemNotAnAbort() throws {
        let forged = try ForgedVault()
        let (pack, _) = try forged.claimedPack()
        let other = pack.hex.hasPrefix("00") ? "01" : "00"
        let folder = forged.url.appendingPathComponent("packs/\(other)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.moveItem(
            at: forged.url.appendingPathComponent(PackFormat.packPath(pack)),
            to: folder.appendingPathComponent("\(pack.hex).pack"))
        try Self.expectBroken(forged, "§3", by: nil, "is in the wrong folder")
        #expect(
            try forged.verify().problems.contains {
                $0.file == PackFormat.packPath(pack) && $0.message.contains("missing")
            })
    }

    // MARK: - What a damaged block really loses (§10)

    /// One flipped byte in one block: keyless verify lists every file of the pack as at risk and says `--deep` narrows
    /// it; deep verify names the block, and per snapshot exactly the files lost and how many are intact.
    @Test func deepVerifyNamesTheFilesADamagedBlockReallyLoses() throws {
        let forged = try ForgedVault()
        let first = try #require(try forged.vault.loadChain().snapshotEntries.first?.entry)
        let pack = try #require(first.packs?.first.flatMap(Digest.init(hex:)))
        let index = try PackIndex.decode(
            try forged.vault.storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index))
        let location = try #require(index.records.first?.location)  // a block of Account.csv, the first file chunked
        let url = forged.url.appendingPathComponent(PackFormat.packPath(pack))
        var bytes = try Data(contentsOf: url)
        bytes[Int(location.blockOffset) + Int(location.blockLength) - 20] ^= 0x01
        try bytes.write(to: url)

        let keyless = try forged.verify()
        #expect(
            keyless.problems.contains {
                $0.file == PackFormat.packPath(pack) && $0.message.contains("`crmvault verify --deep`")
            })
        let deep = try forged.reopened().verify(ownerKeys: forged.owner)
        #expect(
            deep.problems.contains {
                $0.file == PackFormat.packPath(pack) && $0.message.contains("block at offset \(location.blockOffset)")
            },
            "\(deep.problems.map(\.message))")
        let lost = deep.damage.flatMap(\.damagedFiles)
        #expect(!lost.isEmpty && lost.allSatisfy { $0.hasPrefix("Account.csv:") }, "\(lost)")
        #expect(deep.damage.count == 2 && deep.damage.allSatisfy { $0.intactFiles >= 2 }, "\(deep.damage)")
        #expect(deep.filesChecked == deep.damage.reduce(0) { $0 + $1.intactFiles })
    }

    // MARK: - Checkpoints (§11)

    @Test func aCheckpointWithAnotherTimeIsReported() throws {
        let forged = try ForgedVault()
        let checkpoint = try forged.vault.checkpoint(owner: forged.owner)
        var edited = try Checkpoint(parsing: Array(checkpoint.text.utf8))
        edited.time = "2030-01-01T00:00:00Z"
        edited.ownerSignature = forged.owner.signing.sign(Array(edited.body.utf8), domain: Checkpoint.domain)
        var options = VerifyOptions()
        options.checkpoints = [(edited, "paper")]
        let report = try forged.reopened().verify(options)
        #expect(
            report.problems.contains { $0.rule == "§11" && $0.signedBy == "owner" && $0.message.contains("line 5") },
            "\(report.problems.map(\.message))")
    }

    static let malformedCheckpoints: [(String, @Sendable (String) -> String, String)] = [
        ("CRLF", { (text: String) in text.replacingOccurrences(of: "\n", with: "\r\n") }, "line 1"),
        ("no final newline", { (text: String) in String(text.dropLast()) }, "does not end"),
        ("a trailing line", { (text: String) in text + "extra\n" }, "line 7"),
        ("a fractional time", { (text: String) in text.replacingOccurrences(of: "Z\n", with: ".5Z\n") }, "line 5"),
        (
            "a leading zero", { (text: String) in text.replacingOccurrences(of: "sequence ", with: "sequence 0") },
            "line 3"
        ),
    ]

    @Test(arguments: malformedCheckpoints)
    func aCheckpointThatIsNotExactlyItsLinesIsRefusedNamingTheLine(
        form: String, edit: @Sendable (String) -> String, line: String
    )
        throws
    {
        let forged = try ForgedVault()
        let text = edit(try forged.vault.checkpoint().text)
        do {
            _ = try Checkpoint(parsing: Array(text.utf8))
            Issue.record("a checkpoint with \(form) was accepted")
        } catch {
            #expect(error.section == "§11")
            #expect(error.detail.contains(line), "\(form): \(error.detail)")
        }
    }

    // MARK: - Config (§4.1) and packs (§6)

    @Test func aConfigWithAnUnknownKeyIsRefusedEvenSignedByTheOwner() throws {
        let forged = try ForgedVault()
        let document = try #require(
            SignedDocument(parsing: try forged.vault.storage.read(VaultConfig.path, limit: ReadLimit.config)))
        let body = "{\"aaa\":1," + String(decoding: document.body, as: UTF8.self).dropFirst()
        try forged.vault.storage.writeDurably(
            VaultConfig.path,
            SignedDocument(
                body: Array(body.utf8), signedBy: forged.owner.signing,
                domain: SignedDocument.configDomain
            ).bytes)
        do {
            _ = try forged.reopened()
            Issue.record("the config was accepted")
        } catch let error as VaultError {
            #expect(error.message.contains("§4.1") && error.message.contains("signed by the owner"), "\(error.message)")
        }
    }

    @Test func aZstdFrameFollowedByASkippableFrameIsRefused() throws {
        let plain = Array("\"001\",\"Acme\"\n".utf8)
        let frame = try plain.withUnsafeBytes { try ZstdCompressor(level: 3).compress($0) }
        let decompressor = ZstdDecompressor()
        #expect(decompressor.decompress(frame, expectedSize: plain.count).map { Array($0.bytes) } == plain)
        let skippable: [UInt8] = [0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]
        #expect(decompressor.decompress(frame + skippable, expectedSize: plain.count) == nil)
        #expect(decompressor.decompress(skippable + frame, expectedSize: plain.count) == nil)
        #expect(decompressor.decompress(frame + frame, expectedSize: plain.count) == nil)
    }
}
