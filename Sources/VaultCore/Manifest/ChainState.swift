/// The chain as read and checked: entries in order, the head, the authorized writers and the claimed packs.
public struct ChainState: Sendable {
    public internal(set) var entries: [StoredChainEntry] = []
    public internal(set) var headHash: Digest = .zero
    var authorizedWriters: Set<PublicSigningKey> = []
    /// The sequence of the entry that first claimed each pack, and the key that signed it.
    var claimedPacks: [Digest: Int] = [:]
    var packClaimers: [Digest: PublicSigningKey] = [:]
    var writerNames: [String: String] = [:]

    public var snapshotEntries: [StoredChainEntry] { entries.filter { $0.entry.type == .snapshot } }
}

extension Vault {
    /// Reads and checks the whole chain, throwing at the first problem (what writers and readers need).
    public func loadChain() throws -> ChainState {
        var problems: [VerifyProblem] = []
        let state = try readChain(problems: &problems, stopAtFirst: true)
        if let first = problems.first {
            throw VaultError(.chainBroken, "The chain of the vault at \(location) is broken: \(first.file): \(first.message)",
                remedy: "Run `crmvault verify --vault \(location)` for a full report; do not write to this copy until it is understood.")
        }
        return state
    }

    /// Reads the chain, recording every problem found; checks link, sequence, vault id, signer and signature.
    func readChain(problems: inout [VerifyProblem], stopAtFirst: Bool) throws -> ChainState {
        var state = ChainState()
        // Verify reports a `chain` that is not a real directory in its layout check; the others are told precisely.
        let names = try (stopAtFirst ? storage.entries("chain").filter { $0.kind == .file }.map(\.name) : self.names(in: "chain"))
            .filter { $0.hasSuffix(".entry") }
        let owner = config.ownerKey!
        var expected = 0
        for name in names {
            let path = "chain/" + name
            guard let sequence = Int(name.dropLast(6)), path == ChainEntry.path(sequence: sequence) else {
                problems.append(VerifyProblem(file: path, message: "is not a chain entry name"))
                if stopAtFirst { return state }
                continue
            }
            if sequence != expected {
                let missing = sequence - 1 == expected ? "entry \(expected) is" : "entries \(expected)…\(sequence - 1) are"
                problems.append(VerifyProblem(file: path, message: "\(missing) missing before it: the chain was cut"))
                if stopAtFirst { return state }
                expected = sequence
            }
            expected += 1
            guard let document = (try? storage.read(path, limit: ReadLimit.chainEntry)).flatMap(SignedDocument.init(parsing:)),
                let entry = try? CanonicalJSON.decode(ChainEntry.self, from: document.body)
            else {
                problems.append(VerifyProblem(file: path, message: "does not parse as a signed chain entry (damaged)"))
                if stopAtFirst { return state }
                continue
            }
            // The rules of the format (§2, §9): kept by every entry crmvault writes; a key holder may sign one that is not.
            let violations = Self.violations(of: document.body, entry: entry, after: state, owner: owner)
            let stored = StoredChainEntry(entry: entry, hash: document.hash, signature: document.signature, body: document.body)
            var issues: [String] = []
            if entry.vault != id { issues.append("belongs to vault \(entry.vault), not \(id) (replayed from another vault)") }
            if entry.sequence != sequence { issues.append("says it is entry \(entry.sequence)") }
            if entry.previous != state.headHash.hex { issues.append("does not link to the entry before it (reordered, forked or edited)") }
            let signer = PublicSigningKey(hex: entry.signer)
            let mayBeOwnerOnly = entry.type != .snapshot
            if let signer {
                let isAuthorized = signer == owner || (!mayBeOwnerOnly && state.authorizedWriters.contains(signer))
                if !isAuthorized { issues.append("is signed by a key the owner never authorized (\(signer.fingerprint.prefix(16))…)") }
                if !document.isSigned(by: signer, domain: SignedDocument.chainDomain) { issues.append("has an invalid signature (edited)") }
            } else {
                issues.append("names no valid signer key")
            }
            if sequence == 0 && entry.type == .initialize && entry.config != configDocument.hash.hex {
                issues.append("is not the init entry of this config")
            }
            for issue in issues { problems.append(VerifyProblem(file: path, message: issue)) }
            // A rule broken by an entry whose signature does not verify is damage, reported as such above.
            if issues.isEmpty {
                let signedBy = state.role(of: entry.signer, owner: owner)
                problems += violations.map { VerifyProblem(file: path, violation: $0, signedBy: signedBy) }
            }
            if !(issues.isEmpty && violations.isEmpty) && stopAtFirst { return state }
            state.entries.append(stored)
            state.headHash = stored.hash
            switch entry.type {
            case .authorizeWriter:
                if let writer = entry.writer.flatMap(PublicSigningKey.init(hex:)) {
                    state.authorizedWriters.insert(writer)
                    state.writerNames[writer.hex] = entry.name ?? ""
                }
            case .snapshot:
                for pack in entry.packs ?? [] {
                    if let digest = Digest(hex: pack), state.claimedPacks[digest] == nil {
                        state.claimedPacks[digest] = sequence
                        state.packClaimers[digest] = signer
                    }
                }
            case .initialize, .drill:
                break
            }
        }
        if names.isEmpty { problems.append(VerifyProblem(file: "chain/", message: "holds no entries; the vault's history is gone")) }
        return state
    }

    /// The rules of §2 and §9 an entry's body breaks, given the chain before it.
    private static func violations(of body: [UInt8], entry: ChainEntry, after state: ChainState, owner: PublicSigningKey)
        -> [FormatViolation]
    {
        if let violation = CanonicalJSONReader.violation(of: body, shape: ChainEntry.shape(type: entry.type.rawValue), section: "§9") {
            return [violation]
        }
        return entry.violations(after: state, owner: owner)
    }
}

extension ChainState {
    /// Who a signer key is in this chain, as reports name it: `owner`, `writer NAME`, or an unknown key.
    func role(of signer: String, owner: PublicSigningKey) -> String {
        if signer == owner.hex { return "owner" }
        if let name = writerNames[signer] { return "writer " + name }
        return "unknown key \(signer.prefix(16))…"
    }
}

