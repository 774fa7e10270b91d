import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where an audit event ended up.
public enum AuditDestination: Sendable, Equatable {
    case vault(sequence: Int)
    /// The local log, with the reason the vault's own log was not used.
    case local(path: String, reason: String)
}

extension Vault {
    /// Appends `event` to the vault's signed audit log, or, when no key is at hand, the vault is locked by
    /// another process, or the medium is read-only, to the local log (``LocalAuditLog``). Never throws: an
    /// audit failure must not turn a successful operation into a failed one; it is reported in the result.
    public func recordAudit(_ event: AuditEvent, keys: VaultKeys?) -> AuditDestination {
        guard let keys else { return LocalAuditLog.append(event, vault: id, reason: "keyless operation: nothing is written to the vault") }
        do {
            let lock = try VaultLock.acquire(vaultPath: location, operation: "audit log")
            defer { withExtendedLifetime(lock) {} }
            let (sequence, previous) = try auditHead()
            let entry = AuditEntry(
                version: 1, vault: id, sequence: sequence, previous: previous.hex, signer: keys.signing.publicKey.hex, event: event)
            let document = SignedDocument(body: try CanonicalJSON.encode(entry), signedBy: keys.signing, domain: AuditEntry.domain)
            guard try storage.createDurably(AuditEntry.path(sequence: sequence), document.bytes) else {
                return LocalAuditLog.append(event, vault: id, reason: "audit entry \(sequence) already exists in the vault")
            }
            return .vault(sequence: sequence)
        } catch let error as VaultError {
            return LocalAuditLog.append(event, vault: id, reason: "the vault's audit log could not be written (\(error.message))")
        } catch {
            return LocalAuditLog.append(event, vault: id, reason: "the vault's audit log could not be written (\(error))")
        }
    }

    /// The number of audit entries and the hash of the last one's body (zeros when there is none).
    ///
    /// Only the contiguous, readable run from entry 0 counts: a stray or damaged file in `audit/` is verify's to
    /// report, and must not stop backups.
    func auditHead() throws -> (count: Int, head: Digest) {
        let hashes = auditHashes()
        return (hashes.count, hashes.last ?? .zero)
    }

    /// The body hashes of the contiguous, readable audit entries from entry 0.
    func auditHashes() -> [Digest] {
        let names = Set((try? self.names(in: "audit")) ?? [])
        var hashes: [Digest] = []
        while names.contains(String(AuditEntry.path(sequence: hashes.count).dropFirst("audit/".count))),
            let document = (try? storage.read(AuditEntry.path(sequence: hashes.count), limit: ReadLimit.auditEntry))
                .flatMap(SignedDocument.init(parsing:)),
            (try? CanonicalJSON.decode(AuditEntry.self, from: document.body))?.sequence == hashes.count
        {
            hashes.append(document.hash)
        }
        return hashes
    }

    /// The vault's audit entries in order, as stored (checked by `verify`).
    public func auditEntries() throws -> [AuditEntry] {
        try names(in: "audit").filter { $0.hasSuffix(".entry") }.sorted().compactMap { name in
            (try? storage.read("audit/" + name, limit: ReadLimit.auditEntry)).flatMap(SignedDocument.init(parsing:)).flatMap { try? CanonicalJSON.decode(AuditEntry.self, from: $0.body) }
        }
    }

    /// Checks the audit log as the chain is checked: names, sequence, links, vault id, signer, signature; and that it
    /// still holds what each chain entry recorded of it.
    func auditLogProblems(chain: ChainState) throws -> [VerifyProblem] {
        let (records, hashes) = try checkedAuditLog(chain: chain)
        var problems = records.flatMap { record in
            record.problems.map { message in
                guard let violation = record.violation, message.hasPrefix(violation.description) else {
                    return VerifyProblem(file: record.file, message: message)
                }
                return VerifyProblem(file: record.file, violation: violation, signedBy: record.signedBy)
            }
        }
        // Each chain entry recorded the audit log's length and head: entries dropped or rewritten since show.
        for stored in chain.entries {
            guard let count = stored.entry.auditCount, count > 0, let head = stored.entry.auditHead else { continue }
            if count > hashes.count || hashes[count - 1].hex != head {
                problems.append(VerifyProblem(
                    file: "audit/",
                    message: "no longer holds the \(count) audit entries that chain entry \(stored.entry.sequence) recorded "
                        + "(audit entries were dropped or rewritten)"))
                break
            }
        }
        return problems
    }
}
