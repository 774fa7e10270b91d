extension Vault {
    /// Every chunk id a manifest names in clear (inline chunks, chunk-list chunks) must be in a block header of one
    /// of the packs its file lists, and the lengths there must add up: a file's inline chunks to its size, its chunk
    /// list to a length `count` references can have (8 to 40 bytes each, §8), with no more chunks than bytes and no
    /// fewer than the largest chunk allows; and every id of a manifest's `resolve` must be in a block header of one of
    /// the snapshot's packs. So a manifest that points at nothing, or that claims 10 bytes for a file its chunks make
    /// 4 GB, fails keyless. A file that uses a missing or damaged pack is reported with that pack. Linear in the
    /// number of references.
    func chunkReferenceProblems(_ snapshots: [SnapshotsInScope.Snapshot], copies: inout ChunkCopies, presentPacks: Set<Digest>,
                                damagedFiles: Set<String>) -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        let maximumChunk = config.chunker.maximum
        for snapshot in snapshots {
            let usable: [Digest?] = snapshot.packs.map { pack in
                guard let pack, presentPacks.contains(pack), !damagedFiles.contains(PackFormat.packPath(pack)), copies.load(pack) else { return nil }
                return pack
            }
            let allPacks = Set(usable.compactMap { $0 })
            // Each is a rule of §8 the signed manifest breaks, checked against the packs' block headers (§10).
            func problem(_ message: String, _ file: SnapshotManifest.Entry?) {
                problems.append(VerifyProblem(file: SnapshotManifest.path(snapshot.id), violation: FormatViolation("§8", message),
                    signedBy: snapshot.signedBy,
                    affects: ["snapshot \(snapshot.id.shortForm)" + (file.map { " (\($0.path))" } ?? "")]))
            }
            // A short reference that begins several ids names the one of `resolve`, which must be there to be read; a
            // missing or damaged pack of the snapshot is reported as itself.
            if !usable.contains(where: { $0 == nil }) {
                for hex in snapshot.manifest.resolve ?? []
                where Digest(hex: hex).flatMap({ copies.length(of: $0, inAnyOf: allPacks) }) == nil {
                    problem("names chunk \(hex.prefix(12)) in `resolve`, which none of the snapshot's packs holds", nil)
                }
            }
            for file in snapshot.manifest.files where file.type == "file" {
                let numbers = file.packs ?? Array(snapshot.packs.indices)
                if numbers.contains(where: { usable.indices.contains($0) && usable[$0] == nil }) { continue }
                let packs = file.packs == nil ? allPacks : Set(numbers.compactMap { usable.indices.contains($0) ? usable[$0] : nil })
                let size = file.size ?? 0
                let list = file.content?.list
                let named = file.content?.chunks ?? list ?? []
                if size > 0 && named.isEmpty {
                    problem("records \(file.path) with \(size) bytes but no chunks", file)
                    continue
                }
                var total = 0
                var absent: String?
                for hex in named {
                    guard let id = Digest(hex: hex), let length = copies.length(of: id, inAnyOf: packs) else {
                        absent = hex
                        break
                    }
                    total += Int(length)
                }
                if let absent {
                    problem("names chunk \(absent.prefix(12)) of \(file.path), which none of the snapshot's packs holds", file)
                } else if list == nil, total != size {
                    problem("records \(size) bytes for \(file.path), but its chunks hold \(total)", file)
                } else if list == nil, let idle = packs.first(where: { pack in !named.contains { copies.holds($0, in: pack) } }) {
                    // §8: a file's `packs` are the packs its chunks are read from, none more.
                    problem("lists pack \(idle.shortForm) for \(file.path), which holds none of its chunks", file)
                } else if list != nil {
                    let count = file.content?.count ?? -1
                    let fewest = (size + maximumChunk - 1) / maximumChunk
                    if !ChunkReference.isListLength(total, count: count) || count > size || count < fewest {
                        let (shortest, longest) = ChunkReference.listLengthRange(count: count)
                        problem("records \(size) bytes in \(count) chunks for \(file.path), but its chunk list holds "
                            + "\(total) bytes, which are not \(count) references (\(shortest) to \(longest) bytes, "
                            + "8 + 32 × the full ones)", file)
                    }
                }
            }
        }
        return problems
    }
}
