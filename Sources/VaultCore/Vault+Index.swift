extension Vault {
    /// Repairs what an interrupted backup left: removes temp files (the caller holds the writer lock, so
    /// their writer is gone) and rebuilds the index of any pack that was committed without one, so its
    /// chunks are reused rather than stored again.
    func recoverInterruptedBackup() throws {
        for file in try storage.list("tmp") { try? storage.remove("tmp/" + file) }
        let scanner = PackScanner(storage: storage, ownerKeys: nil)
        for pack in try listPacks() where !storage.exists(PackFormat.indexPath(pack)) {
            let result = try scanner.scan(pack)
            guard result.hash == pack, let index = result.index else { continue }
            try storage.writeDurably(PackFormat.indexPath(pack), index.encoded())
        }
    }

    /// Names of every pack present, from `packs/*/`.
    func listPacks() throws -> [Digest] {
        var names: [Digest] = []
        for prefix in try storage.list("packs") {
            for file in try storage.list("packs/" + prefix) where file.hasSuffix(".pack") {
                if let name = Digest(hex: file.dropLast(5)) { names.append(name) }
            }
        }
        return names
    }

    /// Loads the index of every present pack (or of `packs` only): chunk id → location.
    /// An index whose pack is missing is skipped, so a backup never deduplicates against a lost pack.
    func loadChunkLocations(of packs: Set<Digest>? = nil) throws -> [Digest: ChunkLocation] {
        var locations: [Digest: ChunkLocation] = [:]
        for prefix in try storage.list("index") {
            for file in try storage.list("index/" + prefix) where file.hasSuffix(".index") {
                guard let name = Digest(hex: file.dropLast(6)) else { continue }
                if let packs, !packs.contains(name) { continue }
                guard storage.exists(PackFormat.packPath(name)) else { continue }
                guard let index = try? PackIndex.decode(try storage.read(PackFormat.indexPath(name), limit: ReadLimit.index)), index.pack == name else {
                    continue
                }
                for record in index.records where locations[record.id] == nil { locations[record.id] = record.location }
            }
        }
        return locations
    }
}
