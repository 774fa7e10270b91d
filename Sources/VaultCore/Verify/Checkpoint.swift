import Foundation

/// A chain head an auditor keeps on paper or another medium (docs/FORMAT.md §11), in the style of the
/// transparency-dev signed-note checkpoint:
///
///     crmvault checkpoint v1
///     vault 8d431168024481825f963f1e4df74676
///     sequence 4
///     head 0d5c…(64 hex)
///     time 2026-11-27T12:00:00Z
///     audit 7 3b1e…(64 hex)
///
///     — owner 9f2c…(128 hex signature)
///
/// The `audit` line (count and head of the audit log) makes dropping audited operations that happened after the
/// newest chain entry show too.
///
/// The signature line is present when the owner signed it (`checkpoint --sign`); `verify --checkpoint` checks
/// it against the config's owner key. An unsigned checkpoint is as good as the custody it is kept in.
public struct Checkpoint: Sendable, Equatable {
    public var vault: String
    public var sequence: Int
    public var head: Digest
    public var time: String
    public var audit: (count: Int, head: Digest)?
    public var ownerSignature: [UInt8]?

    public static func == (a: Checkpoint, b: Checkpoint) -> Bool { a.text == b.text }

    static let domain = "crmvault checkpoint v1"

    /// The five lines that are signed, each ending in `\n`.
    var body: String {
        "crmvault checkpoint v1\nvault \(vault)\nsequence \(sequence)\nhead \(head.hex)\ntime \(time)\n"
            + (audit.map { "audit \($0.count) \($0.head.hex)\n" } ?? "")
    }

    public var text: String {
        body + (ownerSignature.map { "\n— owner \(Hex.encode($0))\n" } ?? "")
    }

    public init(vault: String, sequence: Int, head: Digest, time: String, audit: (count: Int, head: Digest)? = nil,
                ownerSignature: [UInt8]? = nil) {
        self.audit = audit
        self.vault = vault
        self.sequence = sequence
        self.head = head
        self.time = time
        self.ownerSignature = ownerSignature
    }

    /// Parses a checkpoint; the error names what is malformed.
    public init(parsing text: String, source: String) throws {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        func value(_ index: Int, _ key: String) throws -> String {
            guard index < lines.count, lines[index].hasPrefix(key + " ") else {
                throw VaultError(.usage, "\(source) is not a crmvault checkpoint (line \(index + 1) should start with \"\(key) \").")
            }
            return String(lines[index].dropFirst(key.count + 1))
        }
        guard lines.first == "crmvault checkpoint v1" else {
            throw VaultError(.usage, "\(source) is not a crmvault checkpoint (first line is not \"crmvault checkpoint v1\").")
        }
        vault = try value(1, "vault")
        guard let sequence = Int(try value(2, "sequence")), sequence >= 0 else {
            throw VaultError(.usage, "\(source): the sequence is not a number.")
        }
        self.sequence = sequence
        guard let head = Digest(hex: try value(3, "head")) else { throw VaultError(.usage, "\(source): the head is not 64 hex digits.") }
        self.head = head
        time = try value(4, "time")
        audit = nil
        if lines.count > 5, lines[5].hasPrefix("audit ") {
            let parts = lines[5].split(separator: " ")
            guard parts.count == 3, let count = Int(parts[1]), count >= 0, let head = Digest(hex: parts[2]) else {
                throw VaultError(.usage, "\(source): the audit line is malformed.")
            }
            audit = (count, head)
        }
        ownerSignature = nil
        if let line = lines.dropFirst(audit == nil ? 5 : 6).first(where: { $0.hasPrefix("— owner ") }) {
            guard let signature = Hex.decode(line.dropFirst("— owner ".count)), signature.count == 64 else {
                throw VaultError(.usage, "\(source): the owner signature line is malformed.")
            }
            ownerSignature = signature
        }
    }
}

extension Vault {
    /// The current chain head as a checkpoint, signed by the owner when `owner` is given.
    public func checkpoint(owner: VaultKeys? = nil) throws -> Checkpoint {
        let chain = try loadChain()
        guard let head = chain.entries.last else {
            throw VaultError(.chainBroken, "The vault at \(location) has no chain entries.")
        }
        var checkpoint = Checkpoint(vault: id, sequence: head.entry.sequence, head: head.hash, time: head.entry.time,
            audit: try auditHead())
        if let owner {
            guard owner.role == .owner else { throw VaultError(.readOnlyKey, "Only the owner can sign a checkpoint.") }
            checkpoint.ownerSignature = owner.signing.sign(Array(checkpoint.body.utf8), domain: Checkpoint.domain)
        }
        return checkpoint
    }

    /// Checks that the chain as read extends `checkpoint`: same vault, an entry at its sequence, with its hash.
    func problems(with checkpoint: Checkpoint, source: String, chain: ChainState) -> [VerifyProblem] {
        if checkpoint.vault != id {
            return [VerifyProblem(file: source, message: "belongs to vault \(checkpoint.vault), not to this vault \(id)")]
        }
        if let signature = checkpoint.ownerSignature,
            !config.ownerKey!.isValidSignature(signature, over: Array(checkpoint.body.utf8), domain: Checkpoint.domain)
        {
            return [VerifyProblem(file: source, message: "has an owner signature that does not verify (altered checkpoint or other owner)")]
        }
        let last = chain.entries.last?.entry.sequence ?? -1
        guard checkpoint.sequence <= last, let entry = chain.entries.first(where: { $0.entry.sequence == checkpoint.sequence }) else {
            return [VerifyProblem(
                file: "chain/",
                message: "ends at entry \(last) but the checkpoint \(source) saw entry \(checkpoint.sequence): "
                    + "the vault was rolled back to an older copy or its chain was truncated")]
        }
        guard entry.hash == checkpoint.head else {
            return [VerifyProblem(
                file: ChainEntry.path(sequence: checkpoint.sequence),
                message: "differs from the entry the checkpoint \(source) saw at sequence \(checkpoint.sequence): "
                    + "the history was forked or rewritten")]
        }
        if let audit = checkpoint.audit, audit.count > 0 {
            let hashes = auditHashes()
            if audit.count > hashes.count || hashes[audit.count - 1] != audit.head {
                return [VerifyProblem(file: "audit/",
                    message: "no longer holds the \(audit.count) audit entries the checkpoint \(source) saw (audited operations were erased)")]
            }
        }
        return []
    }
}
