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

    func contains(_ location: ChunkLocation) -> Bool { blocks.contains(Block(pack: location.pack, offset: location.blockOffset)) }
}

extension Vault {
    /// Deep verify's last step: every file of every snapshot in scope proven from its chunk ids, against its recorded
    /// size and its keyed digest of the ids (FORMAT.md §4.3), and stopped as soon as it outgrows its recorded size. A
    /// chunk in a block the pack scan already checked (`checked`) is not read again: its id was checked against its
    /// plaintext there; any other chunk (a pack outside a sampled scan, or with a problem) is read and checked here.
    /// Chunk lists are read. Nothing is written.
    ///
    /// A damaged pack does not make its files count as lost: each block is sealed on its own and read through the
    /// pack's sealed index, so every file whose chunks all open is checked and counted intact, and only the files
    /// that touch a damaged block (or a missing pack) are reported, per snapshot. Returns the number of files checked
    /// intact and, for each snapshot with damage, what is lost.
    func checkFileDigests(_ snapshots: [SnapshotsInScope.Snapshot], owner: VaultKeys, sealers: (Digest) -> Set<PublicSigningKey>,
                          checked: CheckedBlocks, problems: inout [VerifyProblem], progress: ProgressHandler? = nil)
        throws -> (intact: Int, damage: [SnapshotDamage])
    {
        var intact = 0
        var damage: [SnapshotDamage] = []
        var update = OperationProgress(phase: "file digests",
            bytesTotal: snapshots.reduce(Int64(0)) { $0 + Int64($1.manifest.bytesIn) },
            itemsTotal: snapshots.reduce(0) { $0 + $1.manifest.files.count { $0.type == "file" } }, unit: "files")
        // Every pack's chunks are read once; each snapshot then sees only its own packs, so a damaged stranger cannot
        // stand in for its chunks.
        let chunks = try scopeChunks(of: snapshots, sealers: sealers, checked: checked)
        for snapshot in snapshots {
            let (id, manifest) = (snapshot.id, snapshot.manifest)
            let view = chunks.view(of: snapshot.packs)
            let reader = ChunkReader(storage: storage, keys: owner) { view.location(of: $0) }
            var lost = SnapshotDamage(snapshot: id.hex, damagedFiles: [], intactFiles: 0)
            for file in manifest.files where file.type == "file" {
                if let progress {
                    progress(update)
                    update.itemsDone += 1
                    update.bytesDone += Int64(max(file.size ?? 0, 0))
                }
                do {
                    try checkFile(file, reader: reader, owner: owner, view: view)
                    lost.intactFiles += 1
                } catch let error as VaultError {
                    lost.damagedFiles.append("\(file.path): \(error.message)")
                    problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: "\(file.path): \(error.message)",
                        affects: ["snapshot \(id.shortForm) (\(file.path))"]))
                }
            }
            intact += lost.intactFiles
            if !lost.damagedFiles.isEmpty { damage.append(lost) }
        }
        return (intact, damage)
    }

    /// Proves one file from its chunk ids: each chunk lies in a checked block or is read and checked now, the chunks'
    /// lengths add up to its size and its ids give its digest; throws naming what is wrong (a damaged block names its
    /// pack and offset).
    private func checkFile(_ file: SnapshotManifest.Entry, reader: ChunkReader, owner: VaultKeys, view: ScopeChunks.View)
        throws
    {
        let declared = max(file.size ?? 0, 0)
        let digest = FileDigest(key: owner.fileDigestKey, size: declared)
        var size = 0
        try forEachChunkID(of: file, reader: reader) { chunk in
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
