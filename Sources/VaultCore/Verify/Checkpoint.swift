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

    /// Parses a checkpoint that must be exactly the lines of docs/FORMAT.md §11, each ending in `\n` (no `\r`, nothing
    /// before, between or after them); the violation names the line and what is wrong with it.
    public init(parsing text: String, source: String) throws(FormatViolation) {
        try self.init(parsing: Array(text.utf8))
    }

    public init(parsing bytes: [UInt8]) throws(FormatViolation) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw FormatViolation("§11", "is not UTF-8 text") }
        guard bytes.last == 0x0a else { throw FormatViolation("§11", "does not end its last line with `\n`") }
        // Split on the byte: in a Swift string, `\r\n` is one character and would not split at `\n`.
        let lines = bytes.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func broken(_ number: Int, _ detail: String) -> FormatViolation {
            FormatViolation("§11", "line \(number) " + detail)
        }
        if let number = lines.firstIndex(where: { $0.utf8.contains(0x0d) }) {
            throw broken(number + 1, "holds a carriage return (lines end in `\n` alone)")
        }
        func value(_ index: Int, _ key: String) throws(FormatViolation) -> String {
            guard index < lines.count else { throw broken(index + 1, "is missing (it should start with \"\(key) \")") }
            guard lines[index].hasPrefix(key + " ") else { throw broken(index + 1, "should start with \"\(key) \"") }
            return String(lines[index].dropFirst(key.count + 1))
        }
        guard lines.first == "crmvault checkpoint v1" else { throw broken(1, "is not \"crmvault checkpoint v1\"") }
        vault = try value(1, "vault")
        guard vault.utf8.count == 32, Hex.decode(vault) != nil else { throw broken(2, "does not give a vault id of 32 lowercase hex digits") }
        let sequenceText = try value(2, "sequence")
        guard let sequence = Self.decimal(sequenceText) else { throw broken(3, "does not give a sequence number in decimal") }
        self.sequence = sequence
        guard let head = Digest(hex: try value(3, "head")) else { throw broken(4, "does not give a head of 64 lowercase hex digits") }
        self.head = head
        time = try value(4, "time")
        guard Timestamp.isCanonical(time) else { throw broken(5, "does not give a time in RFC 3339 UTC with whole seconds") }
        var next = 5
        audit = nil
        if next < lines.count, lines[next].hasPrefix("audit ") {
            let parts = lines[next].split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, let count = Self.decimal(parts[1]), let head = Digest(hex: parts[2]), (count == 0) == (head == .zero)
            else { throw broken(6, "is not \"audit COUNT HEAD\" (a count in decimal, 64 hex digits, zeros exactly when the count is 0)") }
            audit = (count, head)
            next += 1
        }
        ownerSignature = nil
        if next < lines.count {
            guard lines[next].isEmpty else { throw broken(next + 1, "is not part of a checkpoint (only an empty line and a signature may follow)") }
            guard next + 1 < lines.count, lines[next + 1].hasPrefix("— owner ") else {
                throw broken(next + 2, "should be the owner's signature, \"— owner \" and 128 hex digits")
            }
            let signature = lines[next + 1].dropFirst("— owner ".count)
            guard signature.utf8.count == 128, let bytes = Hex.decode(signature) else {
                throw broken(next + 2, "does not give a signature of 128 lowercase hex digits")
            }
            ownerSignature = bytes
            guard next + 2 == lines.count else { throw broken(next + 3, "is not part of a checkpoint (nothing follows the signature)") }
        }
    }

    /// A decimal number as the format writes it: digits only, no leading zero, below 2^53.
    private static func decimal(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 16, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text == "0" || !text.hasPrefix("0"),
            let value = Int(text), value < 1 << 53
        else { return nil }
        return value
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
        if entry.entry.time != checkpoint.time {
            return [VerifyProblem(file: source, violation: FormatViolation("§11",
                "line 5 gives the time \(checkpoint.time), but chain entry \(checkpoint.sequence) was written at \(entry.entry.time)"),
                signedBy: checkpoint.ownerSignature == nil ? nil : "owner")]
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
