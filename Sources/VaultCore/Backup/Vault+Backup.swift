import Foundation

/// What a finished backup reports.
public struct BackupResult: Sendable {
    public var snapshotID: Digest
    /// The chain entry that committed the snapshot.
    public var sequence: Int
    public var files: Int
    public var bytesIn: Int
    /// Bytes of new packs this snapshot claimed (what it added to the medium).
    public var bytesStored: Int
    public var chunks: Int
    public var newChunkBytes: Int
    /// Of `newChunkBytes`, the bytes and count of new list chunks (the part of a file's chunk list stored again).
    public var newListBytes = 0
    public var newListChunks = 0
    /// Leftovers of earlier interrupted backups this backup reused or removed.
    public var leftovers = LeftoverCleanup()
    /// Entries of the export that were left out, each "path (reason)" with the path escaped (names that are not
    /// UTF-8); the backup of everything else went ahead.
    public var skipped: [String] = []
}

extension Vault {
    /// Backs up a directory, a zip or a file and commits it as a snapshot in the chain.
    ///
    /// Before anything is written the input is checked against `expectations` (a `.zip` that is not one, an empty
    /// export, a CRM export without a CSV header row are refused). The snapshot exists only once its chain entry is
    /// durably written; a backup killed before that leaves packs that verify reports as leftovers and the next backup
    /// reuses or removes (``reclaimLeftovers(chain:keepingReusable:)``).
    public func backup(
        _ input: URL, keys: VaultKeys, label: String = "", origin: String? = nil, time: Date = Date(),
        expectations: ExportExpectations = ExportExpectations(), progress: ProgressHandler? = nil
    ) throws -> BackupResult {
        try backup(input, keys: keys, label: label, origin: origin, time: time, expectations: expectations, progress: progress,
            hashThreads: min(ProcessInfo.processInfo.activeProcessorCount, 4))
    }

    /// ``backup(_:keys:label:origin:time:expectations:progress:)`` with `hashThreads` cutting chunks, computing their ids
    /// and compressing blocks (and reading the vault's index); the snapshot recorded is the same for any number.
    func backup(
        _ input: URL, keys: VaultKeys, label: String = "", origin: String? = nil, time: Date = Date(),
        expectations: ExportExpectations = ExportExpectations(), progress: ProgressHandler? = nil, hashThreads: Int,
        manifestLimit: Int = SnapshotManifest.maximumBytes
    ) throws -> BackupResult {
        try TerminalText.requirePrintable(label, naming: "label", maximumLength: 200, example: "--label 2026-11")
        if let origin { try TerminalText.requirePrintable(origin, naming: "source", maximumLength: 100, example: "--source salesforce-prod") }
        let source = try ExportSources.open(input)
        try source.validate()
        let survey = try ExportCheck.check(source, input: input, expectations)
        let lock = try VaultLock.acquire(vaultPath: location, operation: "backup of \(source.name)")
        defer { withExtendedLifetime(lock) {} }
        try requireSoundLayout()
        let chain = try loadChain()
        let leftovers = try reclaimLeftovers(chain: chain, keepingReusable: true)
        let reusable = leftovers.reusable
        if case .writer = keys.role, !chain.authorizedWriters.contains(keys.signing.publicKey) {
            throw VaultError(.notAuthorized, "This writer key is not authorized for the vault at \(location).")
        }
        let sealing = SealingKey(publicKey: Hex.decode(config.ownerSealingKey)!)
        let sink = PackSink(storage: storage, keys: keys, sealing: sealing, compressionLevel: config.compression.level,
            packTarget: config.packTarget, compressThreads: hashThreads)
        // Deduplicate only against packs the signed chain claims (oldest first) and verified leftovers, and only
        // against those made by this key or the owner: another writer's pack could name chunks it does not hold,
        // and this key could not tell (it cannot decrypt).
        let trusted = chain.claimedPacks.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key) + reusable.keys.sorted()
        let authors: Set<PublicSigningKey> = [keys.signing.publicKey, config.ownerKey!]
        // The index must be sealed as a reader requires (by the key that claimed the pack, or the owner; for a
        // leftover, by the key that was checked to have sealed it), and by one of the authors.
        let readersTrust = indexSealers(chain)
        let known = loadBackupIndex(of: trusted, sealers: { pack in
            authors.intersection(chain.packClaimers[pack] != nil ? readersTrust(pack) : reusable[pack].map { [$0] } ?? [])
        }, threads: hashThreads)
        // Moved, not copied: the session marks and adds to the table, which would copy it all if it were shared.
        let session = BackupSession(keys: keys, config: config, known: consume known, sink: sink, hashThreads: hashThreads)
        session.progress = progress.map { handler in
            (OperationProgress(phase: "backup", bytesTotal: Int64(survey.bytes), itemsTotal: survey.files.count, unit: "files"), handler)
        }
        let referenced: [Digest]
        do {
            try source.walk(session)
            referenced = try session.finish()
        } catch let error as VaultError where error.code == .hostileInput {
            // A refused archive must leave nothing behind: drop what this backup wrote.
            for pack in sink.abandon() {
                try? storage.remove(PackFormat.packPath(pack))
                try? storage.remove(PackFormat.indexPath(pack))
            }
            throw error
        } catch let error as VaultError where error.code == .diskFull {
            let kept = sink.abandon().reduce(Int64(0)) { $0 + ((try? storage.size(of: PackFormat.packPath($1))).map(Int64.init) ?? 0) }
            throw VaultError(.diskFull, error.message + " The backup stopped; no snapshot was recorded.",
                remedy: "Free space on the medium, or use a larger one, and run the backup again: it reuses the "
                    + String(format: "%.1f MB", Double(kept) / 1e6) + " of packs this run already stored. "
                    + "`crmvault cleanup --vault \(location)` removes them now instead.")
        } catch {
            _ = sink.abandon()
            throw error
        }
        let provenance = try source.provenance()
        let manifest = SnapshotManifest(
            version: 1, vault: id, time: Timestamp.format(time), label: label, source: .init(kind: source.kind, name: source.name, origin: origin == "default" ? nil : origin),
            files: session.entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) },
            packs: referenced.map(\.hex), bytesIn: session.bytesIn, resolve: session.resolve.isEmpty ? nil : session.resolve,
            sealed: try provenance.map { provenance in
                let plain = try CanonicalJSON.encode(provenance)
                return Hex.encode(plain.withUnsafeBytes { sealing.seal($0) })
            } ?? "")
        let manifestBytes = manifest.canonicalBytes() + [0x0a]
        // Readers refuse a larger manifest unread (§8): committing it would record a snapshot nobody can restore.
        guard manifestBytes.count <= manifestLimit else {
            let kept = sink.abandon().count
            throw VaultError(.exportRejected,
                "The export \(source.name) is too large for one snapshot: its manifest would hold "
                    + "\(manifestBytes.count) bytes (\(manifest.files.count) entries), more than the \(manifestLimit) "
                    + "a manifest may hold (docs/FORMAT.md §8). No snapshot was recorded.",
                remedy: "Back the export up in parts (one backup per folder, each with its own --label or --source). "
                    + "The \(kept) packs this run stored are leftovers: the next backup reuses them, "
                    + "`crmvault cleanup` removes them.")
        }
        let snapshotID = SHA256Hasher.hash(manifestBytes)
        try storage.writeDurably(SnapshotManifest.path(snapshotID), manifestBytes)

        let claimed = referenced.filter { chain.claimedPacks[$0] == nil }
        var bytesStored = 0
        for pack in claimed { bytesStored += Int(try storage.size(of: PackFormat.packPath(pack))) }
        var entry = ChainEntry(
            vault: id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: keys.signing.publicKey, type: .snapshot)
        entry.snapshot = snapshotID.hex
        entry.packs = claimed.map(\.hex)
        entry.root = MerkleTree.root([snapshotID] + claimed).hex
        entry.files = manifest.files.filter { $0.type == "file" }.count
        entry.bytesIn = session.bytesIn
        entry.bytesStored = bytesStored
        try append(entry, signedBy: keys)
        return BackupResult(
            snapshotID: snapshotID, sequence: entry.sequence, files: entry.files!, bytesIn: session.bytesIn, bytesStored: bytesStored,
            chunks: session.chunkCount, newChunkBytes: session.newChunkBytes,
            newListBytes: session.newListBytes, newListChunks: session.newListChunks,
            leftovers: removeUnusedLeftovers(leftovers, claimed: Set(claimed)), skipped: session.skipped)
    }
}
