/// One entry of the vault's hash-chain (docs/FORMAT.md §9). Optional fields belong to one entry type each.
public struct ChainEntry: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case initialize = "init"
        case authorizeWriter = "authorize-writer"
        case snapshot
        case drill
    }

    public var version: Int
    public var vault: String
    public var sequence: Int
    public var previous: String
    public var time: String
    public var signer: String
    public var type: Kind
    // init
    public var config: String?
    // authorize-writer
    public var writer: String?
    public var name: String?
    // snapshot
    public var snapshot: String?
    public var packs: [String]?
    public var root: String?
    public var files: Int?
    public var bytesIn: Int?
    public var bytesStored: Int?
    // drill (and `snapshot`: the snapshot drilled)
    public var drill: DrillRecord?
    // every type: the audit log as it stood when the entry was written, so dropping audit entries shows
    public var auditCount: Int?
    public var auditHead: String?

    init(vault: String, sequence: Int, previous: Digest, time: String, signer: PublicSigningKey, type: Kind) {
        version = 1
        self.vault = vault
        self.sequence = sequence
        self.previous = previous.hex
        self.time = time
        self.signer = signer.hex
        self.type = type
    }

    static func path(sequence: Int) -> String {
        let digits = String(sequence)
        return "chain/" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".entry"
    }
}

/// A chain entry as stored: its parsed body, the signed document, and its hash.
public struct StoredChainEntry: Sendable {
    public let entry: ChainEntry
    public let hash: Digest
    let signature: [UInt8]
    let body: [UInt8]
}
