/// The most bytes a pack of this vault can hold before anyone reads it (docs/FORMAT.md §10, "Pack sizes"), so that a
/// file grown on the medium (a sparse terabyte costs its planter nothing) is reported from its size, not hashed for
/// hours. A claimed pack holds at most the `bytesStored` its claiming entry signed, the sum of the sizes of every pack
/// it claims (§9). An unclaimed pack is a leftover only if it equals the index recomputed from it (§9 rule 1), so it
/// holds exactly the bytes its index's last record ends at; without an index that says, it is no leftover whatever it
/// holds, and is read no further than the largest pack a writer of the vault makes.
struct PackSizeLimit: Sendable {
    var bytes: UInt64
    /// Why no larger pack can be intact, as verify words it after "is N bytes, more than".
    var reason: String

    /// The limit of every pack of `chain`'s vault in `storage`, or nil where none is known (a claimed pack whose entry
    /// records no `bytesStored`, which the chain's rules refuse). An unclaimed pack without a well-formed index is no
    /// leftover whatever it holds; it is read up to the largest pack a writer of this vault makes (`packTarget` - 1
    /// and one largest block after the pack header), so that verify can say what else is wrong with it.
    static func limits(_ chain: ChainState, packTarget: Int, storage: any VaultStorage)
        -> @Sendable (Digest) -> PackSizeLimit?
    {
        var stored: [Int: UInt64] = [:]
        for entry in chain.entries {
            if let bytes = entry.entry.bytesStored, bytes >= 0 { stored[entry.entry.sequence] = UInt64(bytes) }
        }
        let claims = chain.claimedPacks
        let largest = UInt64(PackFormat.headerCount + max(packTarget, 1) - 1 + PackFormat.maximumBlockLength)
        return { [stored] pack in
            if let sequence = claims[pack] {
                return stored[sequence].map {
                    PackSizeLimit(bytes: $0, reason: "the \($0) bytes chain entry \(sequence) records for all the "
                        + "packs it claims: it grew or was replaced on the medium (unless that entry recorded a wrong "
                        + "size)")
                }
            }
            return indexedSize(of: pack, storage: storage)
                ?? PackSizeLimit(bytes: largest, reason: "the \(largest) bytes of the largest pack this vault's "
                    + "writers make (its `packTarget` and one largest block), and it is claimed by no chain entry and "
                    + "has no well-formed index: it is no leftover of an interrupted backup (FORMAT.md §9)")
        }
    }

    /// The size the index file of unclaimed `pack` gives it: where its last record's block ends, when the file has an
    /// index's length and names the pack; nil otherwise.
    static func indexedSize(of pack: Digest, storage: any VaultStorage) -> PackSizeLimit? {
        let path = PackFormat.indexPath(pack)
        guard let size = try? storage.size(of: path), size >= 44 + 52 + 96, (size - 44 - 96) % 52 == 0,
            let head = try? storage.read(path, offset: 0, count: 44),
            Array(head[0..<8]) == PackFormat.indexMagic, Digest(bytes: head[8..<40]) == pack,
            let last = try? storage.read(path, offset: size - 96 - 52, count: 52)
        else { return nil }
        let end = last.readUInt64(at: 32) &+ UInt64(last.readUInt32(at: 40))
        return PackSizeLimit(bytes: end, reason: "the \(end) bytes its index records: claimed by no chain entry and "
            + "unlike its index, it is no leftover of an interrupted backup (FORMAT.md §9)")
    }
}

extension Vault {
    /// ``PackSizeLimit/limits(_:packTarget:storage:)`` of this vault.
    func packSizeLimits(_ chain: ChainState) -> @Sendable (Digest) -> PackSizeLimit? {
        PackSizeLimit.limits(chain, packTarget: config.packTarget, storage: storage)
    }
}
