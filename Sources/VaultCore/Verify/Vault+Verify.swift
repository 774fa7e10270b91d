import Foundation

extension Vault {
    /// How the warning about a writer holding the lock during verify begins (the CLI lists that writer's files under a
    /// header of its own, and leaves this warning out of its text output then).
    public static let activeWriterWarningPrefix = "a crmvault process is writing to this vault now"

    /// Checks the whole vault: keyless unless `ownerKeys` is given. See ``verify(_:)``.
    public func verify(trustedFingerprint: String? = nil, ownerKeys: VaultKeys? = nil) throws -> VerifyReport {
        try verify(VerifyOptions(trustedFingerprint: trustedFingerprint, ownerKeys: ownerKeys))
    }

    /// Checks the vault as docs/FORMAT.md §10 and docs/AUDITING.md describe. Reads each pack in scope once,
    /// sequentially, in memory bounded per pack, and writes nothing. Every step is linear (or n·log n) in the size of
    /// the vault, so a crafted manifest of many files and packs cannot make it run for days.
    public func verify(_ options: VerifyOptions) throws -> VerifyReport {
        let started = Date()
        let isDeep = options.ownerKeys != nil || options.unlock != nil
        // Deep, with the keys still to derive: Argon2id runs on a thread of its own while this one does the keyless
        // part (chain, manifests, and the chunk map the proof of files needs); the packs are read once it is done.
        let derivation = options.ownerKeys == nil ? options.unlock.map { BackgroundResult(onThreadOfItsOwn: $0) } : nil
        defer { derivation?.wait() }
        var report = VerifyReport(vault: id, location: location, ownerFingerprint: ownerFingerprint, isDeep: isDeep)
        report.checked = Timestamp.format(options.now)
        report.trustedFingerprint = options.trustedFingerprint?.lowercased()
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
            let bytes = try storage.read(OwnerKeyFile.path, limit: ReadLimit.ownerKey)
            if SHA256Hasher.hash(bytes).hex != config.ownerKeyFile {
                problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "does not match the hash in the signed config (altered)"))
            } else if let violation = OwnerKeyFile.violation(of: bytes, config: config) {
                problems.append(VerifyProblem(file: OwnerKeyFile.path, violation: violation, signedBy: "owner"))
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
        problems += options.checkpointProblems
        report.checkpointsChecked += options.checkpointProblems.count
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
        var ownerKeys = options.ownerKeys
        var chunkMap: ScopeChunks?
        if let derivation {
            chunkMap = try scopeChunks(of: snapshots.inScope, sealers: indexSealers(chain), checked: CheckedBlocks(),
                sizeLimit: packSizeLimits(chain))
            ownerKeys = try derivation.get()
        }
        let scanner = PackScanner(storage: storage, ownerKeys: ownerKeys, sizeLimit: packSizeLimits(chain))
        var copies = ChunkCopies(storage: storage, named: snapshots.namedChunks)
        var checkedBlocks = CheckedBlocks()  // deep: the blocks whose every chunk matched its id
        var intactPacks: Set<Digest> = []  // the packs read whole that hash to their name
        var packProgress = options.progress.map { _ in
            OperationProgress(phase: isDeep ? "deep verify" : "verify",
                bytesTotal: inScope.reduce(Int64(0)) { $0 + ((try? storage.size(of: PackFormat.packPath($1))).map(Int64.init) ?? 0) },
                itemsTotal: inScope.count, unit: "packs")
        }
        // Keyless, the packs are hashed on several threads and their results taken in order (`verify --deep` still
        // reads them on one).
        let scans = OrderedPackScans(inScope, scanner: scanner, namedChunks: snapshots.namedChunks,
            threads: isDeep ? 1 : options.packThreads)
        try scans.forEach { name, scan in
            if var update = packProgress, let handler = options.progress {
                handler(update)
                update.itemsDone += 1
                update.bytesDone += (try? storage.size(of: PackFormat.packPath(name))).map(Int64.init) ?? 0
                packProgress = update
            }
            let path = PackFormat.packPath(name)
            let affects = snapshots.dependents[name] ?? []
            let result: PackScanner.Result
            do {
                result = try scan.outcome.get()
            } catch let error as VaultError {
                guard !storage.exists(path) else {
                    problems.append(VerifyProblem(file: path, message: "cannot be read: \(error.message)", affects: affects))
                    return
                }
                // Gone since it was listed: a running backup dropped it (a refused export), or it was removed. Only a
                // claimed pack is missed; an unclaimed one was never part of any snapshot.
                presentSet.remove(name)
                if let sequence = chain.claimedPacks[name] {
                    problems.append(VerifyProblem(file: path, message: "disappeared while verify ran (claimed by chain entry \(sequence))",
                        affects: affects))
                }
                return
            }
            report.packs += 1
            report.packBytes += result.oversized == nil ? result.size : 0
            if result.hash == name { intactPacks.insert(name) }
            report.chunks += result.chunks
            checkedBlocks.add(result, pack: name)
            // Keyless, a damaged pack puts every file that uses it at risk; deep verify narrows that to its damaged
            // blocks here, and to the files really lost when it reads them (``checkFileDigests``).
            let narrowing = !isDeep ? "; every file listed is at risk until `crmvault verify --deep` (owner) "
                + "names the ones really damaged" : ""
            for block in result.damagedBlocks.prefix(20) {
                problems.append(VerifyProblem(file: path, message: "block at offset \(block.offset) (\(block.chunks) chunks) is damaged: "
                    + block.reason))
            }
            if result.damagedBlocks.count > 20 {
                problems.append(VerifyProblem(file: path, message: "and \(result.damagedBlocks.count - 20) more damaged blocks"))
            }
            if let oversized = result.oversized {
                problems.append(VerifyProblem(file: path, message: oversized + narrowing, affects: affects))
                return
            }
            if result.hash != name {
                problems.append(VerifyProblem(file: path, message: "does not hash to its name (altered, truncated or replaced)" + narrowing,
                    affects: affects))
                return
            }
            if let problem = result.problem {
                problems.append(VerifyProblem(file: path, message: problem + narrowing, affects: affects))
                return
            }
            // Only the few chunk ids manifests name in clear are kept, not every chunk id of the vault.
            copies.add(scan.named, in: name)
            // Rule 1 of the leftovers (§9): an unclaimed pack counts as one only with its sealed, matching index.
            if let problem = indexProblem(result.index!, pack: name, chain: chain) {
                problems.append(problem)
            } else if chain.claimedPacks[name] == nil {
                report.leftovers.append(path)
            }
        }

        // A signed `bytesStored` that the claimed packs do not add up to is the signer's doing only when every one of
        // them is intact: a pack damaged on the medium changes the sum, and is reported as damaged above.
        problems += snapshots.storedSizeMismatches.filter { $0.packs.allSatisfy(intactPacks.contains) }.map(\.problem)
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
        if let owner = ownerKeys {
            if let update = packProgress { options.progress?(update) }
            (report.filesChecked, report.damage) = try checkFileDigests(snapshots.inScope, owner: owner, sealers: indexSealers(chain),
                checked: checkedBlocks, chunkMap: chunkMap, problems: &problems, progress: options.progress)
        }

        let unclaimed = try unclaimedFileVerdicts(chain: chain, presentPacks: presentSet, referencedManifests: snapshots.referencedManifests)
        report.leftovers += unclaimed.leftovers
        problems += unclaimed.problems
        problems += try layoutProblems()
        (report.coverage, report.warnings) = Self.coverage(of: snapshots.all, now: options.now, maximumAgeDays: options.maximumAgeDays)
        report.snapshotList = snapshots.all.map {
            VerifiedSnapshot(id: $0.id.hex, sequence: $0.sequence, label: $0.label, source: $0.origin,
                month: SnapshotMonth.of(label: $0.label, time: $0.time), time: $0.time, files: $0.files, signedBy: $0.signedBy)
        }
        if let holder = report.activeWriter {
            report.warnings.insert(Self.activeWriterWarningPrefix + " (\(holder)): what it writes shows as leftovers "
                + "until it commits; verify again when it has finished", at: 0)
        }
        report.problems = problems
        report.status = problems.isEmpty ? "ok" : "problems"
        report.seconds = Date().timeIntervalSince(started)
        report.warnings += drills.warnings
        return report
    }
}
