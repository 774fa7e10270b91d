import Foundation

/// The blocks deep verify's pack scan authenticated, decompressed and checked chunk by chunk against their ids, in the
/// packs whose index matched the pack record for record: a chunk whose location lies in one of them is proven without
/// reading it again. Only such packs count, so a location taken from an index is the one the scan checked.
struct CheckedBlocks {
    private struct Block: Hashable {
        var pack: Digest
        var offset: UInt64
    }

    private var blocks: Set<Block> = []

    mutating func add(_ result: PackScanner.Result, pack: Digest) {
        guard result.hash == pack, result.problem == nil, case .matches? = result.index else { return }
        for offset in result.openedBlocks { blocks.insert(Block(pack: pack, offset: offset)) }
    }

    func contains(_ location: ChunkLocation) -> Bool { contains(location.pack, blockOffset: location.blockOffset) }

    func contains(_ pack: Digest, blockOffset: UInt64) -> Bool { blocks.contains(Block(pack: pack, offset: blockOffset)) }
}

extension Vault {
    /// Deep verify's last step: every file of every snapshot in scope proven from its chunk ids, against its recorded
    /// size and its keyed digest of the ids (FORMAT.md §4.3), and stopped as soon as it outgrows its recorded size. A
    /// chunk in a block the pack scan already checked (`checked`) is not read again: its id was checked against its
    /// plaintext there; any other chunk (a pack outside a sampled scan, or with a problem) is read and checked here.
    /// Chunk lists are read and their references resolved among the snapshot's own packs (§8). Nothing is written.
    ///
    /// A damaged pack does not make its files count as lost: each block is sealed on its own and read through the
    /// pack's sealed index, so every file whose chunks all open is checked and counted intact, and only the files
    /// that touch a damaged block (or a missing pack) are reported, per snapshot. Returns the number of files checked
    /// intact and, for each snapshot with damage, what is lost.
    func checkFileDigests(_ snapshots: [SnapshotsInScope.Snapshot], owner: VaultKeys, sealers: (Digest) -> Set<PublicSigningKey>,
                          checked: CheckedBlocks, chunkMap: ScopeChunks? = nil, problems: inout [VerifyProblem],
                          progress: ProgressHandler? = nil)
        throws -> (intact: Int, damage: [SnapshotDamage])
    {
        // Every pack's chunks are read once; each snapshot then sees only its own packs, so a damaged stranger cannot
        // stand in for its chunks. `chunkMap`, read while the key was derived, learns here which blocks the scan checked.
        let chunks = try chunkMap.map { $0.marking(checked) } ?? scopeChunks(of: snapshots, sealers: sealers, checked: checked)
        let proofs = FileProofs(snapshots, progress: progress)
        // The files are proven on every core (each proof is independent: its list, its lookups, its digest), each
        // thread with its own reader per snapshot and a share of the block cache; the verdicts are put back in the
        // manifests' order, so the report is the one a single thread would make.
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4, proofs.files.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var current: (snapshot: Int, view: ScopeChunks.View, reader: ChunkReader, resolver: ChunkResolver)?
            while let next = proofs.claim() {
                let file = proofs.files[next]
                if current?.snapshot != file.snapshot {
                    let view = chunks.view(of: snapshots[file.snapshot].packs)
                    current = (file.snapshot, view, ChunkReader(storage: storage, keys: owner,
                        cacheBytes: ChunkReader.defaultCacheBytes / threads) { view.location(of: $0) },
                        view.resolver(of: snapshots[file.snapshot].manifest))
                }
                let entry = snapshots[file.snapshot].manifest.files[file.entry]
                let verdict: VaultError?
                do {
                    try checkFile(entry, reader: current!.reader, resolver: &current!.resolver, owner: owner,
                        view: current!.view)
                    verdict = nil
                } catch let error as VaultError {
                    verdict = error
                } catch {
                    verdict = VaultError(.chunkCorrupted, "\(error)")
                }
                proofs.record(verdict, at: next, bytes: Int64(max(entry.size ?? 0, 0)))
            }
        }
        var intact = 0
        var damage: [SnapshotDamage] = []
        var position = 0
        for (index, snapshot) in snapshots.enumerated() {
            let id = snapshot.id
            var lost = SnapshotDamage(snapshot: id.hex, damagedFiles: [], intactFiles: 0)
            while position < proofs.files.count && proofs.files[position].snapshot == index {
                let path = snapshot.manifest.files[proofs.files[position].entry].path
                if let error = proofs.verdicts[position]! {
                    lost.damagedFiles.append("\(path): \(error.message)")
                    problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: "\(path): \(error.message)",
                        affects: ["snapshot \(id.shortForm) (\(path))"]))
                } else {
                    lost.intactFiles += 1
                }
                position += 1
            }
            intact += lost.intactFiles
            if !lost.damagedFiles.isEmpty { damage.append(lost) }
        }
        return (intact, damage)
    }

    /// Proves one file from its chunk ids: each chunk lies in a checked block or is read and checked now, the chunks'
    /// lengths add up to its size and its ids give its digest; throws naming what is wrong (a damaged block names its
    /// pack and offset).
    private func checkFile(_ file: SnapshotManifest.Entry, reader: ChunkReader, resolver: inout ChunkResolver,
                           owner: VaultKeys, view: ScopeChunks.View) throws
    {
        let declared = max(file.size ?? 0, 0)
        let digest = FileDigest(key: owner.fileDigestKey, size: declared)
        var size = 0
        try forEachChunkID(of: file, reader: reader, resolver: &resolver) { chunk in
            digest.add(chunk)
            if let copy = view.copy(of: chunk), copy.checked {
                size += Int(copy.length)
            } else {
                size += try reader.withChunk(chunk) { $0.count }
            }
            guard size <= declared else { throw Self.oversized(file) }
        }
        guard size == file.size, digest.finalize().hex == file.digest else {
            throw VaultError(.chunkCorrupted, "its manifest records a size or digest that its chunks do not produce")
        }
    }
}

/// The files deep verify proves, in the manifests' order, handed out one at a time to the threads that prove them, with
/// each one's verdict (nil: intact) kept in its place and the progress reported as they finish.
private final class FileProofs: @unchecked Sendable {
    struct File {
        var snapshot: Int
        var entry: Int
    }

    let files: [File]
    private let lock = NSLock()
    private let progress: ProgressHandler?
    // Under `lock`.
    private var claimed = 0
    private(set) var verdicts: [VaultError??]
    private var update: OperationProgress

    init(_ snapshots: [SnapshotsInScope.Snapshot], progress: ProgressHandler?) {
        files = snapshots.enumerated().flatMap { index, snapshot in
            snapshot.manifest.files.indices.filter { snapshot.manifest.files[$0].type == "file" }.map {
                File(snapshot: index, entry: $0)
            }
        }
        verdicts = Array(repeating: nil, count: files.count)
        self.progress = progress
        update = OperationProgress(phase: "file digests",
            bytesTotal: snapshots.reduce(Int64(0)) { $0 + Int64($1.manifest.bytesIn) }, itemsTotal: files.count, unit: "files")
        progress?(update)
    }

    /// The next file to prove, or nil when every file is taken.
    func claim() -> Int? {
        lock.withLock {
            guard claimed < files.count else { return nil }
            claimed += 1
            return claimed - 1
        }
    }

    func record(_ verdict: VaultError?, at index: Int, bytes: Int64) {
        lock.withLock {
            verdicts[index] = .some(verdict)
            update.itemsDone += 1
            update.bytesDone += bytes
            progress?(update)
        }
    }
}
