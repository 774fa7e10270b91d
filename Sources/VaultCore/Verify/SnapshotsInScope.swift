/// What verify learns from the manifests before it reads a pack: the snapshots in scope, every snapshot's time for
/// the coverage report, which snapshots and files depend on each pack, and the chunk ids manifests name in clear.
struct SnapshotsInScope {
    struct Snapshot {
        var id: Digest
        var sequence: Int
        var manifest: SnapshotManifest
        /// The manifest's `packs`, position for position (nil where a name is malformed), as files index them.
        var packs: [Digest?]
    }

    var inScope: [Snapshot] = []
    var all: [CoverageSnapshot] = []
    var referencedManifests: Set<String> = []
    /// For each pack, "snapshot ID (file, file, …)" per snapshot that uses it, for the problem that names the pack.
    var dependents: [Digest: [String]] = [:]
    var namedChunks: Set<Digest> = []
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
            let manifest: SnapshotManifest
            do {
                manifest = try loadManifest(stored).manifest
            } catch let error as VaultError {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: error.message, affects: ["snapshot \(id.shortForm)"]))
                continue
            } catch {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: "cannot be read (\(error))", affects: ["snapshot \(id.shortForm)"]))
                continue
            }
            result.all.append(CoverageSnapshot(id: id, time: manifest.time, entryTime: entry.time, origin: manifest.source.origin ?? "default",
                holdsFiles: manifest.files.contains { $0.type == "file" }))
            guard entry.sequence >= firstSequenceInScope else { continue }
            let claimed = (entry.packs ?? []).compactMap(Digest.init(hex:))
            if MerkleTree.root([id] + claimed).hex != entry.root {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "has a root that does not match its packs"))
            }
            let packs = manifest.packs.map { Digest(hex: $0) }
            result.inScope.append(.init(id: id, sequence: entry.sequence, manifest: manifest, packs: packs))
            var filesOfPack: [Int: [String]] = [:]
            for file in manifest.files {
                for number in Set(file.packs ?? []) { filesOfPack[number, default: []].append(file.path) }
                for hex in (file.content?.chunks ?? []) + (file.content?.list ?? []) {
                    if let chunk = Digest(hex: hex) { result.namedChunks.insert(chunk) }
                }
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
