/// What verify learns from the manifests before it reads a pack: the snapshots in scope, every snapshot's time for
/// the coverage report, which snapshots and files depend on each pack, and the chunk ids manifests name in clear.
struct SnapshotsInScope {
    struct Snapshot {
        var id: Digest
        var sequence: Int
        var manifest: SnapshotManifest
        /// The manifest's `packs`, position for position (nil where a name is malformed), as files index them.
        var packs: [Digest?]
        /// Who signed the entry naming it: `owner` or `writer NAME`.
        var signedBy: String
    }

    var inScope: [Snapshot] = []
    var all: [CoverageSnapshot] = []
    var referencedManifests: Set<String> = []
    /// For each pack, "snapshot ID (file, file, …)" per snapshot that uses it, for the problem that names the pack.
    var dependents: [Digest: [String]] = [:]
    var namedChunks: Set<Digest> = []
    /// Entries whose `bytesStored` differs from the sizes of the packs they claim, with those packs: a problem of the
    /// entry only when every one of them hashes to its name (known once the packs are read).
    var storedSizeMismatches: [(problem: VerifyProblem, packs: [Digest])] = []
}

extension Vault {
    /// Reads every snapshot's manifest once, in one pass over its files (never files × packs).
    func readSnapshots(_ chain: ChainState, firstSequenceInScope: Int, problems: inout [VerifyProblem]) -> SnapshotsInScope {
        var result = SnapshotsInScope()
        for stored in chain.snapshotEntries {
            let entry = stored.entry
            guard let id = entry.snapshot.flatMap(Digest.init(hex:)) else {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "names no snapshot id"))
                continue
            }
            result.referencedManifests.insert(SnapshotManifest.path(id))
            let reading: ManifestReading
            do {
                reading = try readManifest(stored)
            } catch let error as VaultError {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: error.message, affects: ["snapshot \(id.shortForm)"]))
                continue
            } catch {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: "cannot be read (\(error))", affects: ["snapshot \(id.shortForm)"]))
                continue
            }
            // Rules the manifest or its entry break (FORMAT.md §8, §9), naming who signed them; a file that breaks one is
            // left out of the checks below, which would only repeat it.
            let signedBy = chain.role(of: entry.signer, owner: config.ownerKey!)
            let affected = ["snapshot \(id.shortForm)"]
            problems += reading.violations.map {
                VerifyProblem(file: SnapshotManifest.path(id), violation: $0, signedBy: signedBy, affects: affected)
            }
            problems += reading.entryViolations.map {
                VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), violation: $0, signedBy: signedBy, affects: affected)
            }
            if let mismatch = reading.storedSizeMismatch {
                result.storedSizeMismatches.append((VerifyProblem(file: ChainEntry.path(sequence: entry.sequence),
                    violation: mismatch.violation, signedBy: signedBy, affects: affected), mismatch.packs))
            }
            problems += reading.fileViolations.keys.sorted().map {
                VerifyProblem(file: SnapshotManifest.path(id), violation: reading.fileViolations[$0]!, signedBy: signedBy, affects: affected)
            }
            guard var manifest = reading.manifest else { continue }
            manifest.files = manifest.files.enumerated().filter { reading.fileViolations[$0.offset] == nil }.map(\.element)
            result.all.append(CoverageSnapshot(id: id, sequence: entry.sequence, label: manifest.label, time: manifest.time,
                entryTime: entry.time, origin: manifest.source.origin ?? "default",
                holdsFiles: manifest.files.contains { $0.type == "file" }, files: manifest.files.filter { $0.type == "file" }.count,
                signedBy: signedBy))
            guard entry.sequence >= firstSequenceInScope else { continue }
            let packs = manifest.packs.map { Digest(hex: $0) }
            result.inScope.append(.init(id: id, sequence: entry.sequence, manifest: manifest, packs: packs, signedBy: signedBy))
            var filesOfPack: [Int: [String]] = [:]
            for file in manifest.files {
                for number in Set(file.packs ?? []) { filesOfPack[number, default: []].append(file.path) }
                for hex in (file.content?.chunks ?? []) + (file.content?.list ?? []) {
                    if let chunk = Digest(hex: hex) { result.namedChunks.insert(chunk) }
                }
            }
            for hex in manifest.resolve ?? [] {  // keyless verify finds each in a block header (§10)
                if let chunk = Digest(hex: hex) { result.namedChunks.insert(chunk) }
            }
            for (number, pack) in packs.enumerated() {
                guard let pack else { continue }
                let files = filesOfPack[number] ?? []
                result.dependents[pack, default: []].append("snapshot \(id.shortForm)" + (files.isEmpty ? "" : " (\(files.joined(separator: ", ")))"))
            }
        }
        return result
    }
}
