extension Vault {
    /// The digest a drill record keeps for an object (FORMAT.md §9.1): the replica's cell digest keyed with the
    /// file-digest key, so that anyone reading the chain without the key cannot test a guess of the data against it.
    public static func drillDigest(object: String, cellDigest: String, keys: VaultKeys) -> String {
        let message = Array("crmvault drill digest v1\n\(object)\n\(cellDigest)".utf8)
        return message.withUnsafeBytes { KeyedHasher.hash($0, key: keys.fileDigestKey).hex }
    }

    /// Appends the signed result of a drill of `snapshot` to the chain (docs/FORMAT.md §9.1). Owner only: a drill
    /// decrypts the snapshot, and its record vouches for a restore. Returns the new entry.
    @discardableResult
    public func appendDrill(
        _ record: DrillRecord, of snapshot: StoredChainEntry, keys: VaultKeys
    ) throws -> StoredChainEntry {
        guard keys.role == .owner else {
            throw VaultError(
                .readOnlyKey, "Only the owner can record a drill: a drill decrypts the snapshot it proves.",
                remedy: "Run `crmvault drill` with the owner passphrase.")
        }
        let lock = try VaultLock.acquire(vaultPath: location, operation: "drill")
        defer { withExtendedLifetime(lock) {} }
        let chain = try loadChain()
        guard let id = snapshot.entry.snapshot, chain.snapshotEntries.contains(where: { $0.entry.snapshot == id })
        else {
            throw VaultError(.snapshotNotFound, "The drilled snapshot is not in the chain of the vault at \(location).")
        }
        var entry = ChainEntry(
            vault: self.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: keys.signing.publicKey, type: .drill)
        entry.snapshot = id
        entry.drill = record
        try append(entry, signedBy: keys)
        return try loadChain().entries.last!
    }
}
