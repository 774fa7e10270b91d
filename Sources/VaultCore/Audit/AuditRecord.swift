/// One audit entry as `crmvault log` shows it: what it says, who signed it (by role), and what is wrong with it.
public struct AuditRecord: Sendable, Codable {
    /// The entry's file in the vault, e.g. `audit/0000000000000003.entry`.
    public var file: String
    /// The entry as stored; nil when it does not parse.
    public var entry: AuditEntry?
    /// `owner`, `writer NAME`, or `unknown key …` for a signer the chain never authorized.
    public var signedBy: String
    /// Why the entry cannot be trusted; empty when its signature, link, sequence and vault all check out.
    public var problems: [String]
    /// The rule of docs/FORMAT.md (§2, §12, §13) a validly signed entry breaks, also listed in `problems`.
    public var violation: FormatViolation?

    public var isVerified: Bool { problems.isEmpty }
}

extension Vault {
    /// Every audit entry with its signer's role and what verify would say of it, so `log` never shows an entry as
    /// if it were signed when it is not.
    public func auditLog() throws -> [AuditRecord] {
        var ignored: [VerifyProblem] = []
        return try checkedAuditLog(chain: try readChain(problems: &ignored, stopAtFirst: false)).records
    }

    /// Each audit entry checked in order (names, sequence, links, vault id, signer, signature), and the body hashes of
    /// the entries that parse, in order.
    func checkedAuditLog(chain: ChainState) throws -> (records: [AuditRecord], hashes: [Digest]) {
        let owner = config.ownerKey!
        var previous = Digest.zero
        var hashes: [Digest] = []
        var records: [AuditRecord] = []
        // Files not named like entries are reported by the layout check, once.
        let names = try self.names(in: "audit").filter { name in
            name.hasSuffix(".entry") && Int(name.dropLast(6)).map { AuditEntry.path(sequence: $0) == "audit/" + name } == true
        }
        for (index, name) in names.sorted().enumerated() {
            let path = "audit/" + name
            guard path == AuditEntry.path(sequence: index) else {
                records.append(AuditRecord(file: path, signedBy: "", problems: ["is out of sequence: audit entry \(index) is missing or misnamed"]))
                break
            }
            guard let document = (try? storage.read(path, limit: ReadLimit.auditEntry)).flatMap(SignedDocument.init(parsing:)),
                let entry = try? CanonicalJSON.decode(AuditEntry.self, from: document.body)
            else {
                records.append(AuditRecord(file: path, signedBy: "", problems: ["does not parse as a signed audit entry (damaged)"]))
                continue
            }
            var issues: [String] = []
            if entry.vault != id { issues.append("belongs to vault \(entry.vault)") }
            if entry.sequence != index { issues.append("says it is audit entry \(entry.sequence)") }
            if entry.previous != previous.hex { issues.append("does not link to the audit entry before it (edited, dropped or reordered)") }
            var signedBy = "unknown key " + (PublicSigningKey(hex: entry.signer).map { String($0.fingerprint.prefix(16)) + "…" } ?? "?")
            if let signer = PublicSigningKey(hex: entry.signer) {
                if signer == owner {
                    signedBy = "owner"
                } else if chain.authorizedWriters.contains(signer) {
                    signedBy = "writer " + (chain.writerNames[signer.hex] ?? "?")
                } else {
                    issues.append("is signed by a key the owner never authorized")
                }
                if !document.isSigned(by: signer, domain: AuditEntry.domain) { issues.append("has an invalid signature (edited)") }
            } else {
                issues.append("names no valid signer key")
            }
            // A validly signed entry must still keep the rules of §2 and §12 (canonical, known keys, times, hex).
            var violation: FormatViolation?
            if issues.isEmpty {
                violation = CanonicalJSONReader.violation(of: document.body, shape: AuditEntry.shape, section: "§12")
                if let violation { issues.append("\(violation) (signed by \(signedBy))") }
            }
            records.append(AuditRecord(file: path, entry: entry, signedBy: signedBy, problems: issues, violation: violation))
            previous = document.hash
            hashes.append(document.hash)
        }
        return (records, hashes)
    }
}
