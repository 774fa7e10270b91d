extension Vault {
    /// Repairs what an interrupted backup left and returns the leftover packs that may be reused, with the key that
    /// sealed each one's index.
    ///
    /// Temp files are removed (the caller holds the writer lock, so their writer is gone). Anyone can drop a
    /// file into a vault, so a pack no chain entry claims is reused only if its index is signed by the owner or
    /// an authorized writer (§7), the pack hashes to its name, and its structure matches the index.
    func recoverInterruptedBackup(chain: ChainState, keys: VaultKeys) throws -> [Digest: PublicSigningKey] {
        // Only regular files: anything else in tmp/ was planted, and is neither followed nor deleted through.
        for file in try names(in: "tmp") { try? storage.remove("tmp/" + file) }
        // An index whose pack never arrived (the backup died between the two) is of no use.
        for prefix in try names(in: "index", kind: .directory) {
            for file in try names(in: "index/" + prefix) where file.hasSuffix(".index") {
                guard let pack = Digest(hex: file.dropLast(6)), chain.claimedPacks[pack] == nil,
                    !storage.exists(PackFormat.packPath(pack))
                else { continue }
                try? storage.remove("index/\(prefix)/\(file)")
            }
        }
        let scanner = PackScanner(storage: storage, ownerKeys: nil)
        var reusable: [Digest: PublicSigningKey] = [:]
        let sealers = chain.authorizedWriters.union([config.ownerKey!])
        for pack in try listPacks() where chain.claimedPacks[pack] == nil {
            // Cheap first: a pack whose index does not even name a key of this vault as its sealer is not read at all.
            guard let sealer = IndexComparer.storedSealer(storage: storage, pack: pack), sealers.contains(sealer) else { continue }
            let result = try scanner.scan(pack, comparingIndex: true)
            guard result.hash == pack, result.problem == nil, let index = result.index, index.isSealed(byOneOf: sealers) else { continue }
            reusable[pack] = sealer
        }
        return reusable
    }

    /// Names of every pack present as a regular file in a real `packs/*/` directory (anything else is reported by
    /// verify's layout check and never read).
    func listPacks() throws -> [Digest] {
        var packs: [Digest] = []
        for prefix in try names(in: "packs", kind: .directory) {
            for file in try names(in: "packs/" + prefix) where file.hasSuffix(".pack") {
                if let name = Digest(hex: file.dropLast(5)) { packs.append(name) }
            }
        }
        return packs
    }

    /// Where each chunk of `packs` is, in the order given (the first pack that holds a chunk wins).
    ///
    /// A pack that is missing is skipped, so nothing is ever deduplicated against a lost pack. An index is used
    /// only when it is sealed by one of `sealers(pack)` (§7); otherwise (missing, altered, unsealed, another signer)
    /// the pack itself is read instead, since the index is a pure function of the pack: a read-only medium
    /// with a lost or edited index still restores. With `onlySealed`, packs without such an index are skipped
    /// instead of read (backups deduplicate only against packs whose author they trust).
    func loadChunkLocations(of packs: [Digest], sealers: (Digest) -> Set<PublicSigningKey>, onlySealed: Bool = false) throws
        -> [Digest: ChunkLocation]
    {
        var locations: [Digest: ChunkLocation] = [:]
        let scanner = PackScanner(storage: storage, ownerKeys: nil)
        for pack in packs where storage.exists(PackFormat.packPath(pack)) {
            var records: [(id: Digest, location: ChunkLocation)]
            if let bytes = try? storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index),
                let index = try? PackIndex.decode(bytes), index.pack == pack, index.isSealed(byOneOf: sealers(pack))
            {
                records = index.records
            } else if onlySealed {
                continue
            } else {
                var scanned: [(id: Digest, location: ChunkLocation)] = []
                guard try scanner.scan(pack, record: { scanned.append(($0, $1)) }).problem == nil else { continue }
                records = scanned
            }
            for record in records where locations[record.id] == nil { locations[record.id] = record.location }
        }
        return locations
    }
}
