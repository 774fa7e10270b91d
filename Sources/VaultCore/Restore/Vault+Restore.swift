import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// What a restore did: files written and, for each file that could not be restored, why.
public struct RestoreReport: Sendable {
    public var filesRestored = 0
    public var bytesRestored = 0
    public var linksRestored = 0
    /// Links restored whose text leads outside the restored tree (`/etc/ssl/cert.pem`, `../shared`), with their text.
    public var linksOutside: [(path: String, target: String)] = []
    public var failures: [RestoreFailure] = []
    /// Files not even tried because the target filled up first.
    public var filesNotAttempted = 0
    /// True when a failure came from the target (disk full, I/O), not from damaged data.
    public var hasTargetFailure: Bool { failures.contains { $0.cause == .target } }
    /// True when a failure came from the vault's data (a damaged chunk, a missing pack, an unsafe manifest).
    public var hasDamagedData: Bool { failures.contains { $0.cause == .damagedData } }
}

/// One file, directory or link a restore could not write, and why.
public struct RestoreFailure: Sendable {
    public enum Cause: String, Sendable {
        /// The vault's data for it is damaged or missing: `verify` says more.
        case damagedData
        /// The target refused it (full, not writable, an existing directory in the way): the vault is not at fault.
        case target
        /// A link leading outside the restored tree, not created because such links were refused.
        case refusedLink
    }

    public var path: String
    public var reason: String
    public var cause: Cause
}

/// What a restore does with a link whose text leads outside the restored tree: an absolute link, or one that climbs
/// out with `..`. Such a link was backed up as a link, so by default it is restored as one (the restore itself never
/// writes through a link: links are created last, and every parent directory is checked to be real).
public enum OutsideLinks: Sendable {
    case create
    /// `--no-links-outside`: such links are not created and are listed.
    case refuse
}

extension Vault {
    /// Reads a snapshot's manifest and checks it against the id its chain entry names and the rules of docs/FORMAT.md
    /// (``usableManifest(_:)``).
    public func loadManifest(_ entry: StoredChainEntry) throws -> (id: Digest, manifest: SnapshotManifest) {
        try usableManifest(entry)
    }

    /// Writes a snapshot's files under `target`, byte-exact with modes and mtimes. A file whose chunks fail their
    /// check is reported and left out; the others are still restored. When the target fills up, the restore stops
    /// there and says so (the vault is not at fault).
    public func restore(
        _ entry: StoredChainEntry, to target: URL, keys: VaultKeys, force: Bool = false, outsideLinks: OutsideLinks = .create,
        progress: ProgressHandler? = nil
    ) throws -> RestoreReport {
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
        var update = OperationProgress(phase: "restore", bytesTotal: Int64(manifest.bytesIn),
            itemsTotal: manifest.files.count { $0.type == "file" }, unit: "files")
        // Links are created last, and every parent is checked to be a real directory, so nothing is ever
        // written through a link: not one from the snapshot, not one already in a --force target.
        let ordered = manifest.files.filter { $0.type != "symlink" } + manifest.files.filter { $0.type == "symlink" }
        // A file entry that breaks a rule of FORMAT.md §8 (a path outside the tree, a crafted size) is refused, not used.
        let refused = Dictionary(manifest.fileViolations(maximumChunk: config.chunker.maximum).map { (manifest.files[$0.key].path, $0.value) },
            uniquingKeysWith: { first, _ in first })
        files: for (position, file) in ordered.enumerated() {
            if let violation = refused[file.path] {
                report.failures.append(RestoreFailure(path: file.path, reason: "refused: the manifest \(violation); run `crmvault verify`",
                    cause: .damagedData))
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
                    if try RestoreTarget.createLink(file, at: path, outsideLinks: outsideLinks) {
                        report.linksOutside.append((file.path, file.target ?? ""))
                    }
                    report.linksRestored += 1
                case "file":
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    try restoreFile(file, at: path, reader: reader, keys: keys, syncing: syncsEachFile) { bytes in
                        update.bytesDone += Int64(bytes)
                        progress?(update)
                    }
                    if syncsEachFile { touchedDirectories.insert(root + (parent.isEmpty ? "" : "/" + parent)) }
                    report.filesRestored += 1
                    report.bytesRestored += file.size ?? 0
                    update.itemsDone += 1
                    progress?(update)
                default:
                    report.failures.append(RestoreFailure(path: file.path, reason: "unknown entry type \(file.type)", cause: .damagedData))
                }
            } catch let failure as RestoreTarget.Failure {
                report.failures.append(RestoreFailure(path: file.path, reason: failure.error.message, cause: failure.cause))
                if failure.error.code == .diskFull {
                    report.filesNotAttempted = ordered[(position + 1)...].count { $0.type == "file" }
                    break files
                }
            } catch let error as VaultError {
                report.failures.append(RestoreFailure(path: file.path, reason: error.message, cause: .damagedData))
            } catch {
                report.failures.append(RestoreFailure(path: file.path, reason: "\(error)", cause: .damagedData))
            }
        }
        for (path, entry) in directories.reversed() { RestoreTarget.applyMetadata(entry, to: path) }
        // Each link's own text stays inside the tree, but links can chain (`up -> ..`, `x -> up/..`): when links outside
        // are refused, resolve every link now that all exist, and remove any that leads outside.
        if outsideLinks == .refuse {
            for file in manifest.files where file.type == "symlink" && ExportPath.isSafe(file.path) {
                let path = root + "/" + file.path
                guard !RestoreTarget.resolvesInside(path, root: root), report.failures.allSatisfy({ $0.path != file.path }) else {
                    continue
                }
                unlink(path)
                report.linksRestored -= 1
                report.failures.append(RestoreFailure(path: file.path,
                    reason: "leads outside the restored tree through other links; removed (--no-links-outside)", cause: .refusedLink))
            }
        }
        if syncsEachFile {
            for directory in touchedDirectories.union(directories.map(\.0)) { LocalDirectoryStorage.syncDirectory(directory) }
        } else {
            do { try RestoreTarget.flush(root) } catch let failure as RestoreTarget.Failure { throw failure.error }
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
    private func restoreFile(
        _ file: SnapshotManifest.Entry, at path: String, reader: ChunkReader, keys: VaultKeys, syncing: Bool,
        written: (Int) -> Void
    ) throws {
        let (directory, name) = LocalDirectoryStorage.split(path)
        // A fresh name, never one that exists: a --force target may hold anything, and restore removes only what it made.
        let temporary = directory + "/." + name + "." + Hex.encode(Sodium.randomBytes(6)) + ".crmvault-partial"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RestoreTarget.failure("create", temporary) }
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
            try batch.withUnsafeBytes {
                try LocalStagedFile.write($0, to: fd, path: temporary, failure: { RestoreTarget.failure($0, $1) })
            }
            checker.submit(batch, chunks: spans)
            written(batch.count)
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
        if syncing { guard fsync(fd) == 0 else { throw RestoreTarget.failure("fsync", temporary) } }
        var existing = stat()
        if lstat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFDIR {
            throw RestoreTarget.Failure(error: VaultError(.targetNotEmpty,
                "\(path) is a directory in the target; the file was not restored over it"), cause: .target)
        }
        guard rename(temporary, path) == 0 else { throw RestoreTarget.failure("rename", path) }
        isComplete = true
        RestoreTarget.applyMetadata(file, to: path)
    }
}
