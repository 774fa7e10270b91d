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
    /// The caller holds the writer lock and has read the chain whole (`loadChain` throws at the first problem, so
    /// nothing a damaged chain claims is ever taken for a leftover). Only files the layout names as crmvault's and the
    /// chain does not claim are removed: staged files in `tmp/` (`<16 hex>.tmp`), indexes of packs that are absent
    /// and unclaimed, unclaimed packs that do not verify (with their indexes), and manifests no chain entry names
    /// that are not intact snapshots of this vault. A leftover pack is kept for reuse only if its index is sealed by
    /// the owner or an authorized writer, it hashes to its name and its blocks match the index (anyone can drop a
    /// well-formed pack into a directory). With `keepingReusable` false (`crmvault cleanup`) every leftover goes.
    func reclaimLeftovers(chain: ChainState, keepingReusable: Bool) throws -> Leftovers {
        var leftovers = Leftovers()
        func remove(_ path: String) {
            guard let size = try? storage.size(of: path), (try? storage.remove(path)) != nil else { return }
            leftovers.cleanup.removed.append(path)
            leftovers.cleanup.bytesFreed += Int64(size)
        }
        // Only regular files: anything else in tmp/ was planted, and is neither followed nor deleted through.
        for file in try names(in: "tmp") where Self.isStagedFileName(file) { remove("tmp/" + file) }

        let named = Set(chain.snapshotEntries.compactMap { $0.entry.snapshot })
        for file in try names(in: "snapshots") where file.hasSuffix(".manifest") {
            guard let id = Digest(hex: file.dropLast(9)), !named.contains(id.hex) else { continue }
            if let manifest = intactManifest(id) {
                leftovers.cleanup.orphanSnapshots.append("snapshots/" + file)
                if keepingReusable {
                    leftovers.packsOfOrphans.formUnion(manifest.packs.compactMap(Digest.init(hex:)))
                    continue
                }
            }
            remove("snapshots/" + file)
        }

        let scanner = PackScanner(storage: storage, ownerKeys: nil)
        let sealers = chain.authorizedWriters.union([config.ownerKey!])
        for pack in try listPacks() where chain.claimedPacks[pack] == nil {
            // Cheap first: a pack whose index does not even name a key of this vault as its sealer is not read at all.
            if keepingReusable || leftovers.packsOfOrphans.contains(pack),
                let sealer = IndexComparer.storedSealer(storage: storage, pack: pack), sealers.contains(sealer)
            {
                let result = try scanner.scan(pack, comparingIndex: true)
                if result.hash == pack, result.problem == nil, let index = result.index, index.isSealed(byOneOf: sealers) {
                    leftovers.reusable[pack] = sealer
                    leftovers.cleanup.reusablePacks.append(PackFormat.packPath(pack))
                    continue
                }
            }
            remove(PackFormat.indexPath(pack))
            remove(PackFormat.packPath(pack))
        }
        // An index whose pack never arrived (the backup died between the two) is of no use.
        for prefix in try names(in: "index", kind: .directory) {
            for file in try names(in: "index/" + prefix) where file.hasSuffix(".index") {
                guard let pack = Digest(hex: file.dropLast(6)), chain.claimedPacks[pack] == nil,
                    !storage.exists(PackFormat.packPath(pack))
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

    /// The manifest `snapshots/<id>.manifest` when it hashes to its name and is a manifest of this vault.
    private func intactManifest(_ id: Digest) -> SnapshotManifest? {
        guard let bytes = try? storage.read(SnapshotManifest.path(id), limit: ReadLimit.manifest), SHA256Hasher.hash(bytes) == id,
            let manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: bytes), manifest.vault == self.id
        else { return nil }
        return manifest
    }

    /// True for the names `stageFile` gives: 16 lowercase hex digits and `.tmp`.
    static func isStagedFileName(_ name: String) -> Bool {
        name.count == 20 && name.hasSuffix(".tmp") && name.dropLast(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
