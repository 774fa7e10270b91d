extension Vault {
    /// Deep verify's last step: every file of every snapshot in scope, reassembled in memory one chunk at a time,
    /// against its recorded size and keyed digest, and stopped as soon as it outgrows its recorded size. Nothing is
    /// written.
    func checkFileDigests(_ snapshots: [SnapshotsInScope.Snapshot], owner: VaultKeys, damagedFiles: Set<String>,
                          sealers: (Digest) -> Set<PublicSigningKey>, problems: inout [VerifyProblem]) throws -> Int {
        var checked = 0
        for snapshot in snapshots {
            let (id, manifest) = (snapshot.id, snapshot.manifest)
            // Each snapshot reads only its own packs, so a damaged stranger cannot stand in for its chunks.
            let reader = ChunkReader(storage: storage, keys: owner, locations: try loadChunkLocations(
                of: snapshot.packs.compactMap { $0 }, sealers: sealers))
            for file in manifest.files where file.type == "file" {
                let damagedPacks = (file.packs ?? []).compactMap { snapshot.packs.indices.contains($0) ? snapshot.packs[$0] : nil }
                    .filter { damagedFiles.contains(PackFormat.packPath($0)) }
                if !damagedPacks.isEmpty { continue }  // already reported with the damaged pack
                let declared = max(file.size ?? 0, 0)
                do {
                    // Chunk ids were checked by the pack scan, and the AEAD tag authenticates each block again here,
                    // so only the file digest is computed, on the second core.
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
                    if size != file.size || digest.hex != file.digest {
                        problems.append(VerifyProblem(file: SnapshotManifest.path(id),
                            message: "records a size or digest for \(file.path) that its chunks do not produce",
                            affects: ["snapshot \(id.shortForm) (\(file.path))"]))
                    }
                    checked += 1
                } catch let error as VaultError {
                    problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: "\(file.path): \(error.message)",
                        affects: ["snapshot \(id.shortForm) (\(file.path))"]))
                }
            }
        }
        return checked
    }
}
