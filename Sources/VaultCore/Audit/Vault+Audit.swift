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

    /// Checks the audit log as the chain is checked: names, sequence, links, vault id, signer, signature.
    func auditLogProblems(chain: ChainState) throws -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        let owner = config.ownerKey!
        var previous = Digest.zero
        var hashes: [Digest] = []
        // Files not named like entries are reported by the layout check, once.
        let names = try self.names(in: "audit").filter { name in
            name.hasSuffix(".entry") && Int(name.dropLast(6)).map { AuditEntry.path(sequence: $0) == "audit/" + name } == true
        }
        for (index, name) in names.sorted().enumerated() {
            let path = "audit/" + name
            guard path == AuditEntry.path(sequence: index) else {
                problems.append(VerifyProblem(file: path, message: "is out of sequence: audit entry \(index) is missing or misnamed"))
                break
            }
            guard let document = (try? storage.read(path, limit: ReadLimit.auditEntry)).flatMap(SignedDocument.init(parsing:)),
                let entry = try? CanonicalJSON.decode(AuditEntry.self, from: document.body)
            else {
                problems.append(VerifyProblem(file: path, message: "does not parse as a signed audit entry (damaged)"))
                continue
            }
            var issues: [String] = []
            if entry.vault != id { issues.append("belongs to vault \(entry.vault)") }
            if entry.sequence != index { issues.append("says it is audit entry \(entry.sequence)") }
            if entry.previous != previous.hex { issues.append("does not link to the audit entry before it (edited, dropped or reordered)") }
            if let signer = PublicSigningKey(hex: entry.signer) {
                if signer != owner && !chain.authorizedWriters.contains(signer) { issues.append("is signed by a key the owner never authorized") }
                if !document.isSigned(by: signer, domain: AuditEntry.domain) { issues.append("has an invalid signature (edited)") }
            } else {
                issues.append("names no valid signer key")
            }
            problems += issues.map { VerifyProblem(file: path, message: $0) }
            previous = document.hash
            hashes.append(document.hash)
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

/// The local audit log, for operations that cannot or must not write to the vault: JSON lines, each naming the
/// SHA-256 of the line before it. `CRMVAULT_AUDIT_LOG` overrides its place (default
/// `$XDG_STATE_HOME/crmvault/audit.log`, else `~/.local/state/crmvault/audit.log`).
public enum LocalAuditLog {
    struct Line: Codable {
        var vault: String
        var previous: String
        var reason: String
        var event: AuditEvent
    }

    public static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CRMVAULT_AUDIT_LOG"], !path.isEmpty { return path }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/crmvault/audit.log"
    }

    /// Records an operation on a vault that could not be opened (it is named by its path).
    public static func record(_ event: AuditEvent, vaultPath: String) -> AuditDestination {
        append(event, vault: vaultPath, reason: "the vault could not be opened")
    }

    static func append(_ event: AuditEvent, vault: String, reason: String) -> AuditDestination {
        let path = Self.path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .local(path: path, reason: reason + "; the local log could not be opened either") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lastLine = existing.split(separator: "\n").last.map { Array($0.utf8) } ?? []
        let previous = lastLine.isEmpty ? Digest.zero : SHA256Hasher.hash(lastLine)
        if let line = try? CanonicalJSON.encode(Line(vault: vault, previous: previous.hex, reason: reason, event: event)) {
            _ = (line + [0x0a]).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        return .local(path: path, reason: reason)
    }
}
