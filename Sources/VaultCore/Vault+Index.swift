extension Vault {
    /// Names of every pack present as a regular file in a real `packs/*/` directory (anything else is reported by
    /// verify's layout check and never read).
    func listPacks() throws -> [Digest] {
        var packs: [Digest] = []
        for prefix in try names(in: "packs", kind: .directory) {
            for file in try names(in: "packs/" + prefix) where file.hasSuffix(".pack") && file.hasPrefix(prefix) {
                if let name = Digest(hex: file.dropLast(5)) { packs.append(name) }  // a pack in the wrong folder is not there
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
    func loadChunkLocations(of packs: [Digest], sealers: (Digest) -> Set<PublicSigningKey>, onlySealed: Bool = false,
                            sizeLimit: (@Sendable (Digest) -> PackSizeLimit?)? = nil) throws -> [Digest: ChunkLocation]
    {
        var locations: [Digest: ChunkLocation] = [:]
        try forEachPackRecords(of: packs, sealers: sealers, onlySealed: onlySealed, sizeLimit: sizeLimit) {
            _, records in
            for record in records where locations[record.id] == nil { locations[record.id] = record.location }
        }
        return locations
    }

    /// The index of `pack` when it reads, names that pack and is sealed by one of `sealers`; nil otherwise.
    func sealedIndex(of pack: Digest, sealers: Set<PublicSigningKey>) -> PackIndex? {
        guard let bytes = try? storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index),
            let index = try? PackIndex.decode(bytes), index.pack == pack, index.isSealed(byOneOf: sealers)
        else { return nil }
        return index
    }

    /// Each pack of `packs` that is present, in order, with its chunk records: from its index when that is sealed by
    /// one of `sealers(pack)`, else (unless `onlySealed`) from reading the pack; a pack that reads with a problem is
    /// skipped, and so is one larger than `sizeLimit` says it can be (not read). The rules of
    /// ``loadChunkLocations(of:sealers:onlySealed:sizeLimit:)``, for callers that keep records otherwise.
    func forEachPackRecords(of packs: [Digest], sealers: (Digest) -> Set<PublicSigningKey>, onlySealed: Bool = false,
                            sizeLimit: (@Sendable (Digest) -> PackSizeLimit?)? = nil,
                            _ body: (Digest, [(id: Digest, location: ChunkLocation)]) throws -> Void) throws
    {
        let scanner = PackScanner(storage: storage, ownerKeys: nil, sizeLimit: sizeLimit)
        for pack in packs where storage.exists(PackFormat.packPath(pack)) {
            if let index = sealedIndex(of: pack, sealers: sealers(pack)) {
                try body(pack, index.records)
            } else if !onlySealed {
                var scanned: [(id: Digest, location: ChunkLocation)] = []
                let result = try scanner.scan(pack, record: { scanned.append(($0, $1)) })
                guard result.problem == nil, result.oversized == nil else { continue }
                try body(pack, scanned)
            }
        }
    }
}
