import Foundation

/// What reclaiming the leftovers of interrupted backups removed and kept (docs/FORMAT.md §9, "Leftovers").
public struct LeftoverCleanup: Sendable, Codable {
    /// Vault-relative paths of the files removed.
    public var removed: [String] = []
    public var bytesFreed: Int64 = 0
    /// Leftover packs kept because they verify and are sealed by a key of this vault: a backup reuses them.
    public var reusablePacks: [String] = []
    /// Manifests no chain entry names that are intact snapshots of this vault (a backup stopped between its manifest and
    /// its chain entry, or a chain entry that was lost): backups keep them and their packs; `cleanup` removes them.
    public var orphanSnapshots: [String] = []

    public init() {}
}

/// The leftovers found in a vault, before anything is removed.
struct Leftovers {
    var reusable: [Digest: PublicSigningKey] = [:]
    /// Packs named by an intact orphan manifest: kept by backups, so a lost chain entry never costs its data unasked.
    var packsOfOrphans: Set<Digest> = []
    var cleanup = LeftoverCleanup()
}

extension Vault {
    /// Removes the leftovers of interrupted backups that cannot be used, and returns the ones that can.
    ///
    /// Follows FORMAT.md §9's one rule for leftovers: only files of its four kinds are ever removed, and a file
    /// verify reports as a problem (an unclaimed pack without a sealed, matching index; an unsealed or foreign index;
    /// a manifest that does not hash to its name; anything in `tmp/` that is not a regular file) is evidence, left
    /// alone. The caller holds the writer lock and has read the chain whole (`loadChain` throws at the first problem,
    /// so nothing a damaged chain claims is ever taken for a leftover). Regular files in `tmp/` and indexes whose pack
    /// never arrived always go. A backup (`keepingReusable`) keeps the leftover packs of rule 1 for reuse and the
    /// manifests that are intact snapshots of this vault (their chain entry may have been lost) with their packs;
    /// the other rule-3 manifests go. `crmvault cleanup` removes every leftover.
    func reclaimLeftovers(chain: ChainState, keepingReusable: Bool) throws -> Leftovers {
        var leftovers = Leftovers()
        func remove(_ path: String) {
            guard let size = try? storage.size(of: path), (try? storage.remove(path)) != nil else { return }
            leftovers.cleanup.removed.append(path)
            leftovers.cleanup.bytesFreed += Int64(size)
        }
        // Rule 4. Only regular files: anything else in tmp/ was planted, and is neither followed nor deleted through.
        for file in try names(in: "tmp") { remove("tmp/" + file) }

        // Rule 3: a manifest no entry names that hashes to its name.
        let named = Set(chain.snapshotEntries.compactMap { $0.entry.snapshot })
        for file in try names(in: "snapshots") where file.hasSuffix(".manifest") {
            guard let id = Digest(hex: file.dropLast(9)), !named.contains(id.hex),
                let bytes = try? storage.read(SnapshotManifest.path(id), limit: ReadLimit.manifest), SHA256Hasher.hash(bytes) == id
            else { continue }
            if let manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: bytes), manifest.vault == self.id {
                leftovers.cleanup.orphanSnapshots.append("snapshots/" + file)
                if keepingReusable {
                    leftovers.packsOfOrphans.formUnion(manifest.packs.compactMap(Digest.init(hex:)))
                    continue
                }
            }
            remove("snapshots/" + file)
        }

        // Rule 1: an unclaimed pack that hashes to its name with a sealed index that matches it.
        let scanner = PackScanner(storage: storage, ownerKeys: nil, sizeLimit: packSizeLimits(chain))
        let sealers = chain.authorizedWriters.union([config.ownerKey!])
        for pack in try listPacks() where chain.claimedPacks[pack] == nil {
            // Cheap first: a pack whose index does not even name a key of this vault as its sealer is not read at all.
            guard let sealer = IndexComparer.storedSealer(storage: storage, pack: pack), sealers.contains(sealer) else { continue }
            let result = try scanner.scan(pack, comparingIndex: true)
            guard result.hash == pack, result.problem == nil, let index = result.index, index.isSealed(byOneOf: sealers) else {
                continue
            }
            if keepingReusable || leftovers.packsOfOrphans.contains(pack) {
                leftovers.reusable[pack] = sealer
                leftovers.cleanup.reusablePacks.append(PackFormat.packPath(pack))
            } else {
                remove(PackFormat.indexPath(pack))
                remove(PackFormat.packPath(pack))
            }
        }
        // Rule 2: a sealed index whose pack never arrived (the backup died between the two).
        for prefix in try names(in: "index", kind: .directory) {
            for file in try names(in: "index/" + prefix) where file.hasSuffix(".index") {
                guard let pack = Digest(hex: file.dropLast(6)), chain.claimedPacks[pack] == nil,
                    !storage.exists(PackFormat.packPath(pack)),
                    let bytes = try? storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index),
                    let index = try? PackIndex.decode(bytes), index.pack == pack, index.isSealed(byOneOf: sealers)
                else { continue }
                remove("index/\(prefix)/\(file)")
            }
        }
        return leftovers
    }

    /// After a backup committed: removes the leftover packs it could have reused but did not claim, unless an intact
    /// orphan manifest names them. Never throws: the snapshot is already committed.
    func removeUnusedLeftovers(_ leftovers: Leftovers, claimed: Set<Digest>) -> LeftoverCleanup {
        var cleanup = leftovers.cleanup
        cleanup.reusablePacks = []
        for pack in leftovers.reusable.keys.sorted() where !claimed.contains(pack) && !leftovers.packsOfOrphans.contains(pack) {
            for path in [PackFormat.indexPath(pack), PackFormat.packPath(pack)] {
                guard let size = try? storage.size(of: path), (try? storage.remove(path)) != nil else { continue }
                cleanup.removed.append(path)
                cleanup.bytesFreed += Int64(size)
            }
        }
        return cleanup
    }

    /// `crmvault cleanup`: removes every leftover of interrupted backups now, under the writer lock, and says what it
    /// freed. Refuses a vault whose chain does not read whole, since what a damaged chain claims cannot be known.
    public func cleanUpLeftovers() throws -> LeftoverCleanup {
        let lock = try VaultLock.acquire(vaultPath: location, operation: "cleanup")
        defer { withExtendedLifetime(lock) {} }
        try requireSoundLayout()
        return try reclaimLeftovers(chain: try loadChain(), keepingReusable: false).cleanup
    }
}
