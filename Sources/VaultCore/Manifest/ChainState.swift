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
            let stored = StoredChainEntry(entry: entry, hash: document.hash, signature: document.signature, body: document.body)
            var issues: [String] = []
            if entry.version != 1 { issues.append("has unknown version \(entry.version)") }
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
            if sequence == 0 && (entry.type != .initialize || entry.config != configDocument.hash.hex) {
                issues.append("is not the init entry of this config")
            }
            for issue in issues { problems.append(VerifyProblem(file: path, message: issue)) }
            if !issues.isEmpty && stopAtFirst { return state }
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
}

