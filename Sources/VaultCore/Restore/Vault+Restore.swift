import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// What a restore did: files written and, for each file that could not be restored, why.
public struct RestoreReport: Sendable {
    public var filesRestored = 0
    public var bytesRestored = 0
    public var failures: [(path: String, reason: String)] = []
    /// True when a failure came from the target (disk full, I/O), not from damaged data.
    public var hasTargetFailure = false
}

extension Vault {
    /// Finds a snapshot by `latest` or a unique prefix of its id.
    public func resolveSnapshot(_ specifier: String, in chain: ChainState) throws -> StoredChainEntry {
        let snapshots = chain.snapshotEntries
        if specifier == "latest" {
            guard let last = snapshots.last else {
                throw VaultError(.snapshotNotFound, "The vault at \(location) has no snapshots yet.",
                    remedy: "Run `crmvault backup --vault \(location) PATH` first.")
            }
            return last
        }
        let matches = snapshots.filter { $0.entry.snapshot?.hasPrefix(specifier.lowercased()) == true }
        guard matches.count == 1, !specifier.isEmpty else {
            throw VaultError(.snapshotNotFound,
                matches.isEmpty ? "No snapshot in the vault at \(location) has an id starting with \"\(specifier)\"."
                    : "\"\(specifier)\" matches \(matches.count) snapshots; give more digits.",
                remedy: "List them with `crmvault snapshots --vault \(location)`.")
        }
        return matches[0]
    }

    /// Reads a snapshot's manifest and checks it against the id its chain entry names.
    public func loadManifest(_ entry: StoredChainEntry) throws -> (id: Digest, manifest: SnapshotManifest) {
        guard let id = entry.entry.snapshot.flatMap(Digest.init(hex:)) else {
            throw VaultError(.chainBroken, "Chain entry \(entry.entry.sequence) names no snapshot.")
        }
        let path = SnapshotManifest.path(id)
        guard storage.exists(path) else {
            throw VaultError(.manifestCorrupted, "The manifest of snapshot \(id.shortForm) (\(path)) is missing.",
                remedy: "Copy it from another medium with `crmvault copy`, then run `crmvault verify`.")
        }
        let bytes = try storage.read(path, limit: ReadLimit.manifest)
        guard SHA256Hasher.hash(bytes) == id, let manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: bytes),
            manifest.vault == self.id
        else {
            throw VaultError(.manifestCorrupted, "The manifest of snapshot \(id.shortForm) (\(path)) was altered: its hash does not match.",
                remedy: "Run `crmvault verify` and restore the file from another medium.")
        }
        return (id, manifest)
    }

    /// Writes a snapshot's files under `target`, byte-exact with modes and mtimes. A file whose chunks fail their
    /// check is reported and left out; the others are still restored.
    public func restore(_ entry: StoredChainEntry, to target: URL, keys: VaultKeys, force: Bool = false) throws -> RestoreReport {
        guard keys.canRead else {
            throw VaultError(.readOnlyKey, "A writer key cannot restore: it can add snapshots but never read them.",
                remedy: "Restore with the owner passphrase (CRMVAULT_PASSPHRASE or --passphrase-file), without --key.")
        }
        let (_, manifest) = try loadManifest(entry)
        try RestoreTarget.prepare(target, force: force)
        let root = target.standardizedFileURL.path
        let reader = ChunkReader(storage: storage, keys: keys, locations: try loadChunkLocations(
            of: manifest.packs.compactMap(Digest.init(hex:)), sealers: indexSealers(try loadChain())))
        var report = RestoreReport()
        var directories: [(String, SnapshotManifest.Entry)] = []
        // A few files are each synced as written; many are flushed at the end with one syncfs (70,000 fsyncs of
        // small files take minutes, while one syncfs of a busy shared file system takes a second).
        let syncsEachFile = manifest.files.count <= RestoreTarget.filesSyncedOneByOne
        var touchedDirectories: Set<String> = []
        // Links are created last, and every parent is checked to be a real directory, so nothing is ever
        // written through a link: not one from the snapshot, not one already in a --force target.
        let ordered = manifest.files.filter { $0.type != "symlink" } + manifest.files.filter { $0.type == "symlink" }
        for file in ordered {
            guard ExportPath.isSafe(file.path) else {
                report.failures.append((file.path, "unsafe path in manifest, skipped"))
                continue
            }
            let path = root + "/" + file.path
            let parent = LocalDirectoryStorage.split(file.path).directory
            do {
                switch file.type {
                case "directory":
                    try RestoreTarget.makeRealDirectories(file.path, under: root)
                    directories.append((path, file))
                case "symlink":
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    try RestoreTarget.createLink(file, at: path)
                case "file":
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    try restoreFile(file, at: path, reader: reader, keys: keys, syncing: syncsEachFile)
                    if syncsEachFile { touchedDirectories.insert(root + (parent.isEmpty ? "" : "/" + parent)) }
                    report.filesRestored += 1
                    report.bytesRestored += file.size ?? 0
                default:
                    report.failures.append((file.path, "unknown entry type \(file.type)"))
                }
            } catch let error as VaultError {
                report.failures.append((file.path, error.message))
                if [.diskFull, .ioFailed].contains(error.code) { report.hasTargetFailure = true }
            } catch {
                report.failures.append((file.path, "\(error)"))
            }
        }
        for (path, entry) in directories.reversed() { RestoreTarget.applyMetadata(entry, to: path) }
        // Each link's own text stays inside the tree, but links can chain (`up -> ..`, `x -> up/..`): resolve
        // every link now that all exist, and remove any that leads outside.
        for file in manifest.files where file.type == "symlink" && ExportPath.isSafe(file.path) {
            let path = root + "/" + file.path
            guard !RestoreTarget.resolvesInside(path, root: root) else { continue }
            unlink(path)
            report.failures.removeAll { $0.path == file.path }
            report.failures.append((file.path, "the link leads outside the restored tree through other links; it was removed"))
        }
        if syncsEachFile {
            for directory in touchedDirectories.union(directories.map(\.0)) { LocalDirectoryStorage.syncDirectory(directory) }
        } else {
            try RestoreTarget.flush(root)
        }
        return report
    }

    /// Whose seal makes a pack's index trusted by a reader: the key whose chain entry claimed the pack (the chain says
    /// which), or the owner, who can read everything. Any other seal, even a valid one by another authorized writer,
    /// could cover an index altered to break a restore, so the pack itself is read instead.
    func indexSealers(_ chain: ChainState) -> (Digest) -> Set<PublicSigningKey> {
        let owner = config.ownerKey!
        return { pack in chain.packClaimers[pack].map { [$0, owner] } ?? [owner] }
    }

    /// Writes one file through a temporary name next to it, checking every chunk and the file's size and digest;
    /// the file appears under its name only when all of it is right. A file whose chunks would make it larger than
    /// its recorded size is stopped there (a manifest can repeat a chunk list to make a 2 KB pack restore gigabytes).
    private func restoreFile(_ file: SnapshotManifest.Entry, at path: String, reader: ChunkReader, keys: VaultKeys, syncing: Bool) throws {
        let (directory, name) = LocalDirectoryStorage.split(path)
        let temporary = directory + "/." + name + ".crmvault-partial"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalDirectoryStorage.errnoError("create", temporary) }
        var isComplete = false
        defer {
            close(fd)
            if !isComplete { unlink(temporary) }
        }
        let checker = ChunkChecker(keys: keys)
        let batchSize = 4 << 20
        var batch: [UInt8] = []
        var spans: [(id: Digest, range: Range<Int>)] = []
        var size = 0
        let declared = max(file.size ?? 0, 0)
        func flush() throws {
            try batch.withUnsafeBytes { try LocalStagedFile.write($0, to: fd, path: temporary) }
            checker.submit(batch, chunks: spans)
            batch = []
            batch.reserveCapacity(min(batchSize, declared - size + 1))
            spans = []
        }
        batch.reserveCapacity(min(batchSize, declared + 1))
        try forEachChunkID(of: file, reader: reader) { id in
            try reader.withChunk(id, verifyingID: false) { chunk in
                guard size + chunk.count <= declared else { throw Self.oversized(file) }
                let start = batch.count
                batch.append(contentsOf: chunk)
                spans.append((id, start..<batch.count))
                size += chunk.count
            }
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        let (digest, mismatch) = checker.finish()
        if let mismatch {
            throw VaultError(.chunkCorrupted, "chunk \(mismatch.shortForm) does not match its id (damaged data).")
        }
        guard size == declared, digest.hex == file.digest else {
            throw VaultError(.chunkCorrupted, "\(file.path) does not match its recorded size and digest after restore.")
        }
        if syncing { guard fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("fsync", temporary) } }
        var existing = stat()
        if lstat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFDIR {
            throw VaultError(.targetNotEmpty, "\(path) is a directory in the target; the file was not restored over it")
        }
        guard rename(temporary, path) == 0 else { throw LocalDirectoryStorage.errnoError("rename", path) }
        isComplete = true
        RestoreTarget.applyMetadata(file, to: path)
    }
}
