/// One line of `crmvault snapshots`.
public struct SnapshotSummary: Sendable, Codable {
    public var id: String
    public var sequence: Int
    public var time: String
    public var label: String
    public var source: String
    public var sourceKind: String
    /// The exported system given with `backup --source`, or `default`.
    public var origin: String
    public var files: Int
    public var bytesIn: Int
    public var bytesStored: Int
    public var signer: String
}

extension Vault {
    /// Every snapshot in chain order, with what its manifest says (label and source need the manifest).
    public func snapshots() throws -> [SnapshotSummary] {
        let chain = try loadChain()
        let owner = config.ownerKey!
        return try chain.snapshotEntries.map { stored in
            let entry = stored.entry
            let manifest = try listedManifest(stored)  // listed even if it breaks a rule: verify and restore say which
            let signer = entry.signer == owner.hex ? "owner" : "writer " + (chain.writerNames[entry.signer] ?? "?")
            return SnapshotSummary(
                id: entry.snapshot ?? "", sequence: entry.sequence, time: manifest.time, label: manifest.label,
                source: manifest.source.name, sourceKind: manifest.source.kind, origin: manifest.source.origin ?? "default", files: entry.files ?? 0, bytesIn: entry.bytesIn ?? 0,
                bytesStored: entry.bytesStored ?? 0, signer: signer)
        }
    }
}
