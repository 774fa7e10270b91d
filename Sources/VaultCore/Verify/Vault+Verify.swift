import Foundation

/// The result of `verify`: what was checked, what is wrong and what it affects, and what is left over.
public struct VerifyReport: Sendable, Codable {
    public var vault: String
    public var location: String
    public var ownerFingerprint: String
    public var isDeep: Bool
    public var chainEntries = 0
    public var snapshots = 0
    public var packs = 0
    public var packBytes: UInt64 = 0
    public var chunks = 0
    public var seconds = 0.0
    public var problems: [VerifyProblem] = []
    /// Files of interrupted backups: not referenced by the chain, harmless, reused or ignored later.
    public var leftovers: [String] = []

    public var isIntact: Bool { problems.isEmpty }
}

extension Vault {
    /// Checks the whole vault. Keyless unless `ownerKeys` is given (then every chunk is decrypted and checked too).
    /// Reads each pack once, sequentially, and writes nothing.
    public func verify(trustedFingerprint: String? = nil, ownerKeys: VaultKeys? = nil) throws -> VerifyReport {
        let started = Date()
        var report = VerifyReport(vault: id, location: location, ownerFingerprint: ownerFingerprint, isDeep: ownerKeys != nil)
        var problems: [VerifyProblem] = []
        if let trustedFingerprint, trustedFingerprint.lowercased() != ownerFingerprint {
            problems.append(VerifyProblem(
                file: VaultConfig.path,
                message: "is signed by owner key \(ownerFingerprint), not by the trusted \(trustedFingerprint): this is not the vault you pinned"))
        }
        if let bytes = try? storage.read(OwnerKeyFile.path) {
            if SHA256Hasher.hash(bytes).hex != config.ownerKeyFile {
                problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "does not match the hash in the signed config (altered)"))
            }
        } else {
            problems.append(VerifyProblem(file: OwnerKeyFile.path, message: "is missing; without it no one can restore this copy"))
        }

        let chain = try readChain(problems: &problems, stopAtFirst: false)
        report.chainEntries = chain.entries.count

        // Manifests first: they say which snapshots and files depend on each pack.
        var dependents: [Digest: [String]] = [:]
        var referencedManifests: Set<String> = []
        var referencedPacks: [(snapshot: Digest, sequence: Int, packs: [Digest])] = []
        for stored in chain.snapshotEntries {
            let entry = stored.entry
            guard let id = entry.snapshot.flatMap(Digest.init(hex:)) else {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "names no snapshot id"))
                continue
            }
            report.snapshots += 1
            referencedManifests.insert(SnapshotManifest.path(id))
            let claimed = (entry.packs ?? []).compactMap(Digest.init(hex:))
            if MerkleTree.root([id] + claimed).hex != entry.root {
                problems.append(VerifyProblem(file: ChainEntry.path(sequence: entry.sequence), message: "has a root that does not match its packs"))
            }
            do {
                let (_, manifest) = try loadManifest(stored)
                let packs = manifest.packs.compactMap(Digest.init(hex:))
                referencedPacks.append((id, entry.sequence, packs))
                for (number, pack) in packs.enumerated() {
                    let files = manifest.files.filter { $0.packs?.contains(number) == true }.map(\.path)
                    dependents[pack, default: []].append("snapshot \(id.shortForm)" + (files.isEmpty ? "" : " (\(files.joined(separator: ", ")))"))
                }
            } catch let error as VaultError {
                problems.append(VerifyProblem(file: SnapshotManifest.path(id), message: error.message,
                    affects: ["snapshot \(id.shortForm)"]))
            }
        }

        // Every pack present, read once.
        let scanner = PackScanner(storage: storage, ownerKeys: ownerKeys)
        var intactPacks: Set<Digest> = []
        let present = try listPacks()
        for name in present {
            let path = PackFormat.packPath(name)
            let result = try scanner.scan(name)
            report.packs += 1
            report.packBytes += result.size
            report.chunks += result.chunks
            let affects = dependents[name] ?? []
            let isClaimed = chain.claimedPacks[name] != nil
            if result.hash != name {
                problems.append(VerifyProblem(file: path, message: "does not hash to its name (altered, truncated or replaced)", affects: affects))
                continue
            }
            if let problem = result.problem {
                problems.append(VerifyProblem(file: path, message: problem, affects: affects))
                continue
            }
            intactPacks.insert(name)
            let indexPath = PackFormat.indexPath(name)
            if let stored = try? storage.read(indexPath) {
                if stored != result.index!.encoded() {
                    problems.append(VerifyProblem(file: indexPath, message: "does not match its pack (altered); rebuildable from the pack"))
                }
            } else if isClaimed {
                problems.append(VerifyProblem(file: indexPath, message: "is missing; rebuildable from its pack"))
            }
            if !isClaimed { report.leftovers.append(path) }
        }
        let presentSet = Set(present)
        for (snapshot, sequence, packs) in referencedPacks {
            for pack in packs {
                if !presentSet.contains(pack) {
                    problems.append(VerifyProblem(
                        file: PackFormat.packPath(pack), message: "is missing", affects: dependents[pack] ?? ["snapshot \(snapshot.shortForm)"]))
                } else if let claimedAt = chain.claimedPacks[pack], claimedAt > sequence {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.shortForm) before any chain entry claims it"))
                } else if chain.claimedPacks[pack] == nil {
                    problems.append(VerifyProblem(file: PackFormat.packPath(pack),
                        message: "is used by snapshot \(snapshot.shortForm) but claimed by no chain entry"))
                }
            }
        }
        for (pack, sequence) in chain.claimedPacks where !presentSet.contains(pack) {
            if !referencedPacks.contains(where: { $0.packs.contains(pack) }) {
                problems.append(VerifyProblem(file: PackFormat.packPath(pack), message: "is missing (claimed by chain entry \(sequence))"))
            }
        }
        // Index files without a pack, manifests without an entry, temp files: leftovers.
        for prefix in try storage.list("index") {
            for file in try storage.list("index/" + prefix) {
                let name = Digest(hex: file.replacingOccurrences(of: ".index", with: ""))
                if name == nil || !presentSet.contains(name!) {
                    if let name, chain.claimedPacks[name] != nil { continue }
                    report.leftovers.append("index/\(prefix)/\(file)")
                }
            }
        }
        for file in try storage.list("snapshots") where !referencedManifests.contains("snapshots/" + file) {
            report.leftovers.append("snapshots/" + file)
        }
        for file in try storage.list("tmp") { report.leftovers.append("tmp/" + file) }
        for file in try unexpectedFiles() {
            problems.append(VerifyProblem(file: file, message: "is not part of the vault format (unexpected file)"))
        }
        report.problems = problems
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}
