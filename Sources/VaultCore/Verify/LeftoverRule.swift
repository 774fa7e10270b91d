/// The one rule for files no chain entry accounts for (docs/FORMAT.md §9, "Leftovers"), and the seal every index must
/// carry (§7): a file an interrupted backup could have left is a leftover, anything else is a problem.
extension Vault {
    /// What is wrong with the stored index of pack `pack`, compared with the index recomputed from the pack, or nil.
    /// A claimed pack's index must be sealed by the key that claimed it or the owner; an unclaimed pack is a leftover
    /// only with an index sealed by the owner or an authorized writer.
    func indexProblem(_ comparison: IndexComparison, pack: Digest, chain: ChainState) -> VerifyProblem? {
        let path = PackFormat.indexPath(pack)
        let owner = config.ownerKey!
        let claimer = chain.packClaimers[pack]
        func broken(_ section: String, _ detail: String) -> VerifyProblem {
            VerifyProblem(
                file: path, violation: FormatViolation(section, detail),
                signedBy: comparison.sealer.map { chain.role(of: $0.hex, owner: owner) })
        }
        switch comparison {
        case .missing:
            if claimer != nil { return VerifyProblem(file: path, message: "is missing; rebuildable from its pack") }
            return VerifyProblem(
                file: PackFormat.packPath(pack),
                violation: FormatViolation(
                    "§9",
                    "is claimed by no chain entry and has no index, so no interrupted backup left it (a leftover pack has its sealed index)"
                ),
                signedBy: nil)
        case .unreadable(let reason):
            return VerifyProblem(file: path, message: "\(reason); rebuildable from its pack")
        case .differs:
            return VerifyProblem(file: path, message: "does not match its pack (altered); rebuildable from the pack")
        case .matches(nil, _):
            return broken("§7", "carries no seal; every index is sealed by the key that wrote its pack")
        case .matches(let seal?, _):
            if let claimer {
                if !comparison.isSealed(byOneOf: [claimer, owner]) {
                    return broken(
                        "§7",
                        seal.signer == claimer || seal.signer == owner
                            ? "has a seal whose signature does not verify"
                            : "is sealed by another key than the one that claimed its pack (\(chain.role(of: claimer.hex, owner: owner))) or the owner"
                    )
                }
            } else if !comparison.isSealed(byOneOf: chain.authorizedWriters.union([owner])) {
                return broken(
                    "§9",
                    "is not sealed by the owner or an authorized writer, so its unclaimed pack is no leftover of this vault"
                )
            }
            return nil
        }
    }

    /// Leftovers (rules 2–4 of §9) among the indexes without a pack, the manifests no entry names and `tmp/`, and a
    /// problem for every such file that is not one. Rule 1 (packs) is applied where packs are scanned.
    func unclaimedFileVerdicts(
        chain: ChainState, presentPacks: Set<Digest>, referencedManifests: Set<String>
    ) throws
        -> (leftovers: [String], problems: [VerifyProblem])
    {
        var leftovers: [String] = []
        var problems: [VerifyProblem] = []
        let sealers = chain.authorizedWriters.union([config.ownerKey!])
        for prefix in try names(in: "index", kind: .directory) {
            for file in try names(in: "index/" + prefix) where file.hasSuffix(".index") {
                guard let pack = Digest(hex: file.dropLast(6)), pack.hex.hasPrefix(prefix),
                    !presentPacks.contains(pack),
                    chain.claimedPacks[pack] == nil
                else { continue }
                let path = PackFormat.indexPath(pack)
                // A leftover index holds at most a pack's 2^20 records (§6).
                let bytes = try? storage.read(path, limit: 44 + PackFormat.maximumChunksPerPack * 52 + 96)
                guard let index = bytes.flatMap({ try? PackIndex.decode($0) }), index.pack == pack else {
                    problems.append(
                        VerifyProblem(
                            file: path,
                            violation: FormatViolation(
                                "§9",
                                "is not the index of the pack its name gives (§7), and that pack is absent: no interrupted backup left it"
                            ),
                            signedBy: nil))
                    continue
                }
                if index.isSealed(byOneOf: sealers) {
                    leftovers.append(path)
                } else {
                    problems.append(
                        VerifyProblem(
                            file: path,
                            violation: FormatViolation(
                                "§9",
                                "has no pack and is not sealed by the owner or an authorized writer: no interrupted backup of this vault left it"
                            ),
                            signedBy: index.seal.map { chain.role(of: $0.signer.hex, owner: config.ownerKey!) }))
                }
            }
        }
        for file in try names(in: "snapshots")
        where file.hasSuffix(".manifest") && !referencedManifests.contains("snapshots/" + file) {
            guard let id = Digest(hex: file.dropLast(9)), id.hex == file.dropLast(9) else { continue }  // the layout check's
            let bytes = try? storage.read(SnapshotManifest.path(id), limit: ReadLimit.manifest)
            if bytes.map(SHA256Hasher.hash) == id {
                leftovers.append("snapshots/" + file)
            } else {
                problems.append(
                    VerifyProblem(
                        file: "snapshots/" + file,
                        violation: FormatViolation(
                            "§9",
                            "is named by no chain entry and does not hash to its name: no interrupted backup left it"),
                        signedBy: nil))
            }
        }
        for file in try names(in: "tmp") { leftovers.append("tmp/" + file) }
        return (leftovers, problems)
    }
}
