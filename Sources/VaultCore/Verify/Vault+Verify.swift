import Foundation

extension Vault {
    /// Checks the whole vault: keyless unless `ownerKeys` is given. See ``verify(_:)``.
    public func verify(trustedFingerprint: String? = nil, ownerKeys: VaultKeys? = nil) throws -> VerifyReport {
        try verify(VerifyOptions(trustedFingerprint: trustedFingerprint, ownerKeys: ownerKeys))
    }

    /// Checks the vault as docs/FORMAT.md §10 and docs/AUDITING.md describe. Reads each pack in scope once,
    /// sequentially, holds one block at a time, and writes nothing.
    public func verify(_ options: VerifyOptions) throws -> VerifyReport {
        let started = Date()
        var report = VerifyReport(vault: id, location: location, ownerFingerprint: ownerFingerprint, isDeep: options.ownerKeys != nil)
        var problems: [VerifyProblem] = []
        if let trusted = options.trustedFingerprint {
            if trusted.lowercased() == ownerFingerprint {
                report.isFingerprintTrusted = true
            } else {
                problems.append(VerifyProblem(
                    file: VaultConfig.path,
                    message: "is signed by owner key \(ownerFingerprint), not by the trusted \(trusted): this is not the vault you pinned"))
            }
        }
        if let bytes = try? storage.read(OwnerKeyFile.path, limit: ReadLimit.ownerKey) {
            if SHA256Hasher.hash(bytes).hex != config.ownerKeyFile {
                problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "does not match the hash in the signed config (altered)"))
            }
        } else {
            problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "is missing; without it no one can restore this copy"))
        }

        let chain = try readChain(problems: &problems, stopAtFirst: false)
        report.chainEntries = chain.entries.count
        for (checkpoint, source) in options.checkpoints {
            problems += self.problems(with: checkpoint, source: source, chain: chain)
            report.checkpointsChecked += 1
        }
        var firstSequenceInScope = 0
        if let (checkpoint, source) = options.since {
            problems += self.problems(with: checkpoint, source: source, chain: chain)
            report.checkpointsChecked += 1
            firstSequenceInScope = checkpoint.sequence + 1
            report.scope = "entries after \(checkpoint.sequence)"
        }
        problems += try auditLogProblems(chain: chain)

        // Manifests first: they say which snapshots and files depend on each pack.
        var dependents: [Digest: [String]] = [:]
        var referencedManifests: Set<String> = []
        var snapshotsInScope: [(id: Digest, sequence: Int, manifest: SnapshotManifest, packs: [Digest])] = []
        var allSnapshots: [(time: String, origin: String, id: Digest)] = []
        for stored in chain.snapshotEntries {
            let entry = stored.entry
            guard let id = entry.snapshot.flatMap(Digest.init(hex:)) else {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "names no snapshot id"))
                continue
            }
            referencedManifests.insert(SnapshotManifest.path(id))
            let manifest: SnapshotManifest
            do {
                manifest = try loadManifest(stored).manifest
            } catch let error as VaultError {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: error.message, affects: ["snapshot \(id.shortForm)"]))
                continue
            }
            allSnapshots.append((manifest.time, manifest.source.origin ?? "default", id))
            guard entry.sequence >= firstSequenceInScope else { continue }
            report.snapshots += 1
            let claimed = (entry.packs ?? []).compactMap(Digest.init(hex:))
            if MerkleTree.root([id] + claimed).hex != entry.root {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "has a root that does not match its packs"))
            }
            let packs = manifest.packs.compactMap(Digest.init(hex:))
            snapshotsInScope.append((id, entry.sequence, manifest, packs))
            for (number, pack) in packs.enumerated() {
                let files = manifest.files.filter { $0.packs?.contains(number) == true }.map(\.path)
                dependents[pack, default: []].append("snapshot \(id.shortForm)" + (files.isEmpty ? "" : " (\(files.joined(separator: ", ")))"))
            }
        }

        // Every pack in scope, read once.
        let present = try listPacks()
        let presentSet = Set(present)
        var inScope = present.filter { pack in chain.claimedPacks[pack].map { $0 >= firstSequenceInScope } ?? true }
        if let percent = options.samplePercent, percent < 100 {
            let count = max(1, Int((Double(inScope.count) * percent / 100).rounded(.up)))
            let chosen = Set(inScope.shuffled().prefix(count))
            report.packsSkipped = inScope.count - chosen.count
            inScope = inScope.filter { chosen.contains($0) }
            report.scope += ", \(Int(percent)) % sample of packs"
        }
        let scanner = PackScanner(storage: storage, ownerKeys: options.ownerKeys)
        // Only the few chunk ids manifests name in clear are kept, not every chunk id of the vault.
        let namedChunks = Set(snapshotsInScope.flatMap { snapshot in
            snapshot.manifest.files.flatMap { ($0.content?.chunks ?? []) + ($0.content?.list ?? []) }.compactMap(Digest.init(hex:))
        })
        var chunksOfPack: [Digest: Set<Digest>] = [:]
        for name in inScope {
            let path = PackFormat.packPath(name)
            let result = try scanner.scan(name)
            report.packs += 1
            report.packBytes += result.size
            report.chunks += result.chunks
            let affects = dependents[name] ?? []
            if result.hash != name {
                problems.append(VerifyProblem(file: path, message: "does not hash to its name (altered, truncated or replaced)", affects: affects))
                continue
            }
            if let problem = result.problem {
                problems.append(VerifyProblem(file: path, message: problem, affects: affects))
                continue
            }
            chunksOfPack[name] = Set(result.index!.records.lazy.map(\.id).filter(namedChunks.contains))
            let indexPath = PackFormat.indexPath(name)
            if let stored = try? storage.read(indexPath, limit: ReadLimit.index) {
                let decoded = try? PackIndex.decode(stored)
                if decoded?.recordBytes() != result.index!.recordBytes() {
                    problems.append(VerifyProblem(file: indexPath, message: "does not match its pack (altered); rebuildable from the pack"))
                } else if let decoded, decoded.seal != nil, !decoded.isSealed(byOneOf: chain.authorizedWriters.union([config.ownerKey!])) {
                    problems.append(VerifyProblem(file: indexPath, message: "is not signed by the owner or an authorized writer"))
                }
            } else if chain.claimedPacks[name] != nil {
                problems.append(VerifyProblem(file: indexPath, message: "is missing; rebuildable from its pack"))
            }
            if chain.claimedPacks[name] == nil { report.leftovers.append(path) }
        }

        var reportedMissing: Set<Digest> = []
        for snapshot in snapshotsInScope {
            for pack in snapshot.packs {
                if !presentSet.contains(pack) {
                    guard reportedMissing.insert(pack).inserted else { continue }  // one problem, naming every dependent
                    problems.append(VerifyProblem(
                        file: PackFormat.packPath(pack), message: "is missing", affects: dependents[pack] ?? ["snapshot \(snapshot.id.shortForm)"]))
                } else if let claimedAt = chain.claimedPacks[pack], claimedAt > snapshot.sequence {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.id.shortForm) before any chain entry claims it"))
                } else if chain.claimedPacks[pack] == nil {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.id.shortForm) but claimed by no chain entry"))
                }
            }
        }
        problems += chunkReferenceProblems(snapshotsInScope, chunksOfPack: chunksOfPack, named: namedChunks, presentPacks: presentSet)
        let reported = Set(problems.map(\.file))
        for (pack, sequence) in chain.claimedPacks where !presentSet.contains(pack) && sequence >= firstSequenceInScope {
            if !reported.contains(PackFormat.packPath(pack)) {
                problems.append(VerifyProblem(file: PackFormat.packPath(pack), message: "is missing (claimed by chain entry \(sequence))"))
            }
        }
        if let owner = options.ownerKeys {
            let damaged = Set(problems.map(\.file))
            report.filesChecked = try checkFileDigests(snapshotsInScope.map { ($0.id, $0.manifest) }, owner: owner, damagedFiles: damaged,
                sealers: indexSealers(chain), problems: &problems)
        }

        report.leftovers += try leftovers(chain: chain, presentPacks: presentSet, referencedManifests: referencedManifests)
        problems += try layoutProblems()
        (report.coverage, report.warnings) = Self.coverage(of: allSnapshots, now: options.now, maximumAgeDays: options.maximumAgeDays)
        report.problems = problems
        report.status = problems.isEmpty ? "ok" : "problems"
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Every chunk id a manifest names in clear (inline chunks, chunk-list chunks) must be in a block header of
    /// one of the packs it lists: a manifest that points at nothing cannot verify. Packs outside the scan
    /// (`--since`, `--sample`) are taken from their index.
    private func chunkReferenceProblems(_ snapshots: [(id: Digest, sequence: Int, manifest: SnapshotManifest, packs: [Digest])],
                                        chunksOfPack: [Digest: Set<Digest>], named: Set<Digest>,
                                        presentPacks: Set<Digest>) -> [VerifyProblem] {
        var chunksOfPack = chunksOfPack
        func chunks(of pack: Digest) -> Set<Digest>? {
            if let known = chunksOfPack[pack] { return known }
            guard presentPacks.contains(pack), let bytes = try? storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index),
                let index = try? PackIndex.decode(bytes), index.pack == pack
            else { return nil }
            chunksOfPack[pack] = Set(index.records.lazy.map(\.id).filter(named.contains))
            return chunksOfPack[pack]
        }
        var problems: [VerifyProblem] = []
        for snapshot in snapshots {
            let packSets = snapshot.packs.map(chunks(of:))
            guard packSets.allSatisfy({ $0 != nil }) else { continue }  // a missing or damaged pack is reported on its own
            for file in snapshot.manifest.files where file.type == "file" {
                // A file lists the packs that hold its chunks; look only there (a few sets, not a union of all).
                let sets = (file.packs ?? Array(snapshot.packs.indices)).compactMap { $0 < packSets.count ? packSets[$0] : nil }
                let named = (file.content?.chunks ?? []) + (file.content?.list ?? [])
                if (file.size ?? 0) > 0 && named.isEmpty {
                    problems.append(VerifyProblem(file: SnapshotManifest.path(snapshot.id),
                        message: "records \(file.path) with \(file.size!) bytes but no chunks",
                        affects: ["snapshot \(snapshot.id.shortForm) (\(file.path))"]))
                    continue
                }
                let absent = named.first { hex in
                    guard let id = Digest(hex: hex) else { return true }
                    return !sets.contains { $0.contains(id) }
                }
                guard let absent else { continue }
                problems.append(VerifyProblem(
                    file: SnapshotManifest.path(snapshot.id),
                    message: "names chunk \(absent.prefix(12)) of \(file.path), which none of the snapshot's packs holds",
                    affects: ["snapshot \(snapshot.id.shortForm) (\(file.path))"]))
            }
        }
        return problems
    }

    /// Index files without a pack, manifests without an entry, temp files: what interrupted backups leave.
    private func leftovers(chain: ChainState, presentPacks: Set<Digest>, referencedManifests: Set<String>) throws -> [String] {
        var leftovers: [String] = []
        for prefix in try names(in: "index", kind: .directory) {
            for file in try names(in: "index/" + prefix) where file.hasSuffix(".index") {
                guard let name = Digest(hex: file.dropLast(6)) else { continue }
                if !presentPacks.contains(name) && chain.claimedPacks[name] == nil { leftovers.append("index/\(prefix)/\(file)") }
            }
        }
        for file in try names(in: "snapshots") where !referencedManifests.contains("snapshots/" + file) && file.hasSuffix(".manifest") {
            leftovers.append("snapshots/" + file)
        }
        for file in try names(in: "tmp") { leftovers.append("tmp/" + file) }
        return leftovers
    }

    /// Deep verify's last step: every file of every snapshot in scope, reassembled in memory one chunk at a time,
    /// against its recorded size and keyed digest. Nothing is written.
    private func checkFileDigests(_ snapshots: [(id: Digest, manifest: SnapshotManifest)], owner: VaultKeys, damagedFiles: Set<String>,
                                  sealers: (Digest) -> Set<PublicSigningKey>, problems: inout [VerifyProblem]) throws -> Int {
        var checked = 0
        for (id, manifest) in snapshots {
            // Each snapshot reads only its own packs, so a damaged stranger cannot stand in for its chunks.
            let reader = ChunkReader(storage: storage, keys: owner, locations: try loadChunkLocations(
                of: manifest.packs.compactMap(Digest.init(hex:)), sealers: sealers))
            for file in manifest.files where file.type == "file" {
                let damagedPacks = (file.packs ?? []).compactMap { $0 < manifest.packs.count ? manifest.packs[$0] : nil }
                    .compactMap(Digest.init(hex:)).filter { damagedFiles.contains(PackFormat.packPath($0)) }
                if !damagedPacks.isEmpty { continue }  // already reported with the damaged pack
                do {
                    // Chunk ids were checked by the pack scan, and the AEAD tag authenticates each block again here,
                    // so only the file digest is computed, on the second core.
                    let checker = ChunkChecker(keys: owner)
                    var batch: [UInt8] = []
                    var size = 0
                    try forEachChunkID(of: file, reader: reader) { chunk in
                        try reader.withChunk(chunk, verifyingID: false) { bytes in
                            // Stop a file at its recorded size: a crafted chunk list must not make verify run unbounded.
                            guard size + batch.count + bytes.count <= max(file.size ?? 0, 0) else { throw Self.oversized(file) }
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
