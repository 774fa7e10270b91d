extension Vault {
    /// Deep verify's last step: every file of every snapshot in scope, reassembled in memory one chunk at a time,
    /// against its recorded size and keyed digest, and stopped as soon as it outgrows its recorded size. Nothing is
    /// written.
    ///
    /// A damaged pack does not make its files count as lost: each block is sealed on its own and read through the
    /// pack's sealed index, so every file whose chunks all open is checked and counted intact, and only the files
    /// that touch a damaged block (or a missing pack) are reported, per snapshot. Returns the number of files checked
    /// intact and, for each snapshot with damage, what is lost.
    func checkFileDigests(_ snapshots: [SnapshotsInScope.Snapshot], owner: VaultKeys, sealers: (Digest) -> Set<PublicSigningKey>,
                          problems: inout [VerifyProblem], progress: ProgressHandler? = nil)
        throws -> (intact: Int, damage: [SnapshotDamage])
    {
        var intact = 0
        var damage: [SnapshotDamage] = []
        var update = OperationProgress(phase: "file digests",
            bytesTotal: snapshots.reduce(Int64(0)) { $0 + Int64($1.manifest.bytesIn) },
            itemsTotal: snapshots.reduce(0) { $0 + $1.manifest.files.count { $0.type == "file" } }, unit: "files")
        for snapshot in snapshots {
            let (id, manifest) = (snapshot.id, snapshot.manifest)
            // Each snapshot reads only its own packs, so a damaged stranger cannot stand in for its chunks.
            let reader = ChunkReader(storage: storage, keys: owner, locations: try loadChunkLocations(
                of: snapshot.packs.compactMap { $0 }, sealers: sealers))
            var lost = SnapshotDamage(snapshot: id.hex, damagedFiles: [], intactFiles: 0)
            for file in manifest.files where file.type == "file" {
                if let progress {
                    progress(update)
                    update.itemsDone += 1
                    update.bytesDone += Int64(max(file.size ?? 0, 0))
                }
                do {
                    try checkFile(file, reader: reader, owner: owner)
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

    /// Reads one file's chunks and checks its size and digest; throws naming what is wrong (a damaged block names its
    /// pack and offset).
    private func checkFile(_ file: SnapshotManifest.Entry, reader: ChunkReader, owner: VaultKeys) throws {
        let declared = max(file.size ?? 0, 0)
        // Chunk ids are checked against the blocks' AEAD tags and the digest below, so only the file digest is computed,
        // on the second core.
        let checker = ChunkChecker(keys: owner)
        var batch: [UInt8] = []
        var size = 0
        try forEachChunkID(of: file, reader: reader) { chunk in
            try reader.withChunk(chunk, verifyingID: false) { bytes in
                guard size + batch.count + bytes.count <= declared else { throw Self.oversized(file) }
                batch.append(contentsOf: bytes)
            }
            if batch.count >= 4 << 20 {
                size += batch.count
                checker.submit(batch, chunks: [])
                batch = []
            }
        }
        size += batch.count
        checker.submit(batch, chunks: [])
        let digest = checker.finish().digest
        guard size == file.size, digest.hex == file.digest else {
            throw VaultError(.chunkCorrupted, "its manifest records a size or digest that its chunks do not produce")
        }
    }
}
