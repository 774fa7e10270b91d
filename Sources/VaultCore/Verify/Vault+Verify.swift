import Foundation

extension Vault {
    /// Checks the whole vault: keyless unless `ownerKeys` is given. See ``verify(_:)``.
    public func verify(trustedFingerprint: String? = nil, ownerKeys: VaultKeys? = nil) throws -> VerifyReport {
        try verify(VerifyOptions(trustedFingerprint: trustedFingerprint, ownerKeys: ownerKeys))
    }

    /// Checks the vault as docs/FORMAT.md §10 and docs/AUDITING.md describe. Reads each pack in scope once,
    /// sequentially, in memory bounded per pack, and writes nothing. Every step is linear (or n·log n) in the size of
    /// the vault, so a crafted manifest of many files and packs cannot make it run for days.
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
        do {
            if SHA256Hasher.hash(try storage.read(OwnerKeyFile.path, limit: ReadLimit.ownerKey)).hex != config.ownerKeyFile {
                problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "does not match the hash in the signed config (altered)"))
            }
        } catch let error as VaultError where storage.exists(OwnerKeyFile.path) {
            problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "cannot be read: \(error.message)"))
        } catch {
            problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "is missing; without it no one can restore this copy"))
        }
        // A backup running now explains packs that appear or vanish while this runs: say so.
        if let holder = VaultLock.holder(of: LocalDirectoryStorage(root: URL(fileURLWithPath: location))) {
            report.activeWriter = holder
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
        let snapshots = readSnapshots(chain, firstSequenceInScope: firstSequenceInScope, problems: &problems)
        report.snapshots = snapshots.inScope.count
        // Restore drills (FORMAT.md §9.1): each checked, the last per source shown.
        let drills = Self.drills(in: chain, origins: Dictionary(snapshots.all.map { ($0.id.hex, $0.origin) }, uniquingKeysWith: { $1 }),
            now: options.now, maximumAgeDays: options.maximumDrillAgeDays)
        report.drills = drills.drills
        problems += drills.problems

        // Every pack in scope, read once.
        let present = try listPacks()
        var presentSet = Set(present)
        var inScope = present.filter { pack in chain.claimedPacks[pack].map { $0 >= firstSequenceInScope } ?? true }
        if let percent = options.samplePercent, percent < 100 {
            let count = max(1, Int((Double(inScope.count) * percent / 100).rounded(.up)))
            let chosen = Set(inScope.shuffled().prefix(count))
            report.packsSkipped = inScope.count - chosen.count
            inScope = inScope.filter { chosen.contains($0) }
            report.scope += ", \(Int(percent)) % sample of packs"
        }
        let scanner = PackScanner(storage: storage, ownerKeys: options.ownerKeys)
        let sealers = chain.authorizedWriters.union([config.ownerKey!])
        var copies = ChunkCopies(storage: storage, named: snapshots.namedChunks)
        for name in inScope {
            let path = PackFormat.packPath(name)
            let affects = snapshots.dependents[name] ?? []
            let result: PackScanner.Result
            // Only the few chunk ids manifests name in clear are kept, not every chunk id of the vault.
            var named: [(id: Digest, length: UInt32)] = []
            do {
                result = try scanner.scan(name, comparingIndex: true) { id, location in
                    if snapshots.namedChunks.contains(id) { named.append((id, location.length)) }
                }
            } catch let error as VaultError {
                guard !storage.exists(path) else {
                    problems.append(VerifyProblem(file: path, message: "cannot be read: \(error.message)", affects: affects))
                    continue
                }
                // Gone since it was listed: a running backup dropped it (a refused export), or it was removed. Only a
                // claimed pack is missed; an unclaimed one was never part of any snapshot.
                presentSet.remove(name)
                if let sequence = chain.claimedPacks[name] {
                    problems.append(VerifyProblem(file: path, message: "disappeared while verify ran (claimed by chain entry \(sequence))",
                        affects: affects))
                }
                continue
            }
            report.packs += 1
            report.packBytes += result.size
            report.chunks += result.chunks
            if result.hash != name {
                problems.append(VerifyProblem(file: path, message: "does not hash to its name (altered, truncated or replaced)", affects: affects))
                continue
            }
            if let problem = result.problem {
                problems.append(VerifyProblem(file: path, message: problem, affects: affects))
                continue
            }
            copies.add(named, in: name)
            let indexPath = PackFormat.indexPath(name)
            switch result.index! {
            case .missing where chain.claimedPacks[name] != nil:
                problems.append(VerifyProblem(file: indexPath, message: "is missing; rebuildable from its pack"))
            case .missing:
                break
            case .unreadable(let reason):
                problems.append(VerifyProblem(file: indexPath, message: "\(reason); rebuildable from its pack"))
            case .differs:
                problems.append(VerifyProblem(file: indexPath, message: "does not match its pack (altered); rebuildable from the pack"))
            case .matches(let seal, _):
                if seal != nil && !result.index!.isSealed(byOneOf: sealers) {
                    problems.append(VerifyProblem(file: indexPath, message: "is not signed by the owner or an authorized writer"))
                }
            }
            if chain.claimedPacks[name] == nil { report.leftovers.append(path) }
        }

        var reportedMissing: Set<Digest> = []
        for snapshot in snapshots.inScope {
            for pack in snapshot.packs.compactMap({ $0 }) {
                if !presentSet.contains(pack) {
                    guard reportedMissing.insert(pack).inserted else { continue }  // one problem, naming every dependent
                    problems.append(VerifyProblem(
                        file: PackFormat.packPath(pack), message: "is missing",
                        affects: snapshots.dependents[pack] ?? ["snapshot \(snapshot.id.shortForm)"]))
                } else if let claimedAt = chain.claimedPacks[pack], claimedAt > snapshot.sequence {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.id.shortForm) before any chain entry claims it"))
                } else if chain.claimedPacks[pack] == nil {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.id.shortForm) but claimed by no chain entry"))
                }
            }
        }
        let damaged = Set(problems.map(\.file))
        problems += chunkReferenceProblems(snapshots.inScope, copies: &copies, presentPacks: presentSet, damagedFiles: damaged)
        let reported = Set(problems.map(\.file))
        for (pack, sequence) in chain.claimedPacks where !presentSet.contains(pack) && sequence >= firstSequenceInScope {
            if !reported.contains(PackFormat.packPath(pack)) {
                problems.append(VerifyProblem(file: PackFormat.packPath(pack), message: "is missing (claimed by chain entry \(sequence))"))
            }
        }
        if let owner = options.ownerKeys {
            report.filesChecked = try checkFileDigests(snapshots.inScope, owner: owner, damagedFiles: Set(problems.map(\.file)),
                sealers: indexSealers(chain), problems: &problems)
        }

        report.leftovers += try leftovers(chain: chain, presentPacks: presentSet, referencedManifests: snapshots.referencedManifests)
        problems += try layoutProblems()
        (report.coverage, report.warnings) = Self.coverage(of: snapshots.all, now: options.now, maximumAgeDays: options.maximumAgeDays)
        if let holder = report.activeWriter {
            report.warnings.insert("a crmvault process is writing to this vault now (\(holder)): what it writes shows as leftovers "
                + "until it commits; verify again when it has finished", at: 0)
        }
        report.problems = problems
        report.status = problems.isEmpty ? "ok" : "problems"
        report.seconds = Date().timeIntervalSince(started)
        report.warnings += drills.warnings
        return report
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
}
