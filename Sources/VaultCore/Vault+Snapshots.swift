import Foundation

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
    /// The month the snapshot covers: its label when that is a month (`2026-03`), else the month of its time (UTC).
    public var month: String
    /// 1 for the first snapshot of this origin and month, 2 for a second one (a re-run), and so on.
    public var numberInMonth: Int
    public var files: Int
    public var bytesIn: Int
    public var bytesStored: Int
    /// `owner` or `writer NAME`: who signed the chain entry, as `crmvault log` names them.
    public var signedBy: String
    /// The SHA-256 fingerprint of the key that signed the chain entry: the one identifier of a key everywhere.
    public var signerFingerprint: String
}

/// The month a snapshot covers (docs/FORMAT.md §8): the label when it names a month no later than the month of the
/// time (RFC 3339 UTC, so its first seven characters), else the month of the time.
public enum SnapshotMonth {
    public static func of(label: String, time: String) -> String {
        // A label month after the month of the backup would claim a month not yet exported: the time counts then.
        let timeMonth = String(time.prefix(7))
        return isMonth(label) && label <= timeMonth ? label : timeMonth
    }

    /// `YYYY-MM` with a month from 01 to 12.
    public static func isMonth(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.joined().allSatisfy(\.isASCII),
            Int(parts[0]) != nil, let month = Int(parts[1])
        else { return false }
        return (1...12).contains(month)
    }
}

extension Vault {
    /// Every snapshot in chain order, with what its manifest says (label and source need the manifest).
    public func snapshots() throws -> [SnapshotSummary] {
        let chain = try loadChain()
        var seen: [String: Int] = [:]
        return try chain.snapshotEntries.map { stored in
            let entry = stored.entry
            let manifest = try listedManifest(stored)  // listed even if it breaks a rule: verify and restore say which
            let origin = manifest.source.origin ?? "default"
            let month = SnapshotMonth.of(label: manifest.label, time: manifest.time)
            seen[origin + "\n" + month, default: 0] += 1
            return SnapshotSummary(
                id: entry.snapshot ?? "", sequence: entry.sequence, time: manifest.time, label: manifest.label,
                source: manifest.source.name, sourceKind: manifest.source.kind, origin: origin, month: month,
                numberInMonth: seen[origin + "\n" + month]!, files: entry.files ?? 0, bytesIn: entry.bytesIn ?? 0,
                bytesStored: entry.bytesStored ?? 0, signedBy: signerRole(entry.signer, chain: chain),
                signerFingerprint: PublicSigningKey(hex: entry.signer)?.fingerprint ?? "")
        }
    }

    /// `owner`, `writer NAME`, or `unknown key` for a signer the chain never authorized.
    func signerRole(_ signer: String, chain: ChainState) -> String {
        chain.role(of: signer, owner: config.ownerKey!)
    }

    /// Finds the one snapshot `selector` names: `latest`, a label (`2026-02`), or a prefix of the id; with `source`,
    /// only among the snapshots of that source (`backup --source`, `default` for none).
    ///
    /// `latest` is the newest snapshot of one source: in a vault that holds several (the monthly exports and a one-off
    /// file), `latest` without `source` is ambiguous, as is a label or prefix that fits more than one snapshot. An
    /// ambiguous selector is an error that lists the candidates, never a guess.
    public func resolveSnapshot(_ selector: String, source: String? = nil, in chain: ChainState) throws -> StoredChainEntry {
        let all = chain.snapshotEntries
        if source == nil, selector.count == 64, let only = all.first(where: { $0.entry.snapshot == selector.lowercased() }) {
            return only
        }
        // A manifest that cannot be read still has an id to be selected by; its label and source are unknown.
        let described = all.map { stored in
            (stored, manifest: try? listedManifest(stored))
        }
        let candidates = described.filter { source == nil || ($0.manifest?.source.origin ?? "default") == source }
        let listing = "List them with `crmvault snapshots --vault \(location)`."
        func shown(_ item: (StoredChainEntry, manifest: SnapshotManifest?)) -> String {
            let id = String(item.0.entry.snapshot?.prefix(12) ?? "?")
            guard let manifest = item.manifest else { return "\(id) (manifest unreadable)" }
            let name = manifest.label.isEmpty ? manifest.source.name : manifest.label
            return "\(name) of \(manifest.source.origin ?? "default") at \(manifest.time) (\(id))"
        }
        if candidates.isEmpty {
            throw VaultError(.snapshotNotFound,
                source.map { "The vault at \(location) has no snapshot of source \"\($0)\"." } ?? "The vault at \(location) has no snapshots yet.",
                remedy: source == nil ? "Run `crmvault backup --vault \(location) PATH` first." : listing)
        }
        if selector == "latest" {
            var newestOfSource: [String: (StoredChainEntry, manifest: SnapshotManifest?)] = [:]
            for item in candidates { newestOfSource[item.manifest?.source.origin ?? "default"] = item }
            guard newestOfSource.count == 1 else {
                let sources = newestOfSource.keys.sorted()
                throw VaultError(.snapshotNotFound,
                    "\"latest\" is ambiguous: the vault at \(location) holds snapshots of \(sources.count) sources; the newest of "
                        + "each: " + sources.map { shown(newestOfSource[$0]!) }.joined(separator: "; ") + ".",
                    remedy: "Name the source, e.g. `--source \(sources.first { $0 != "default" } ?? sources[0]) latest`, or give a "
                        + "label or an id prefix.")
            }
            return candidates.last!.0
        }
        let prefix = selector.lowercased()
        let isHex = !prefix.isEmpty && prefix.allSatisfy(\.isHexDigit)
        let matches = candidates.filter { item in
            (!selector.isEmpty && item.manifest?.label == selector) || (isHex && item.0.entry.snapshot?.hasPrefix(prefix) == true)
        }
        guard matches.count == 1 else {
            let scope = source.map { " of source \"\($0)\"" } ?? ""
            if matches.isEmpty {
                let labels = Array(Set(candidates.compactMap { $0.manifest?.label }.filter { !$0.isEmpty })).sorted()
                throw VaultError(.snapshotNotFound,
                    "No snapshot\(scope) in the vault at \(location) has the label or an id starting with \"\(selector)\""
                        + (labels.isEmpty ? "." : " (labels: \(labels.suffix(12).joined(separator: ", "))).")
                        + " Snapshots are named by `latest`, a label or an id prefix.",
                    remedy: listing)
            }
            throw VaultError(.snapshotNotFound,
                "\"\(selector)\" fits \(matches.count) snapshots\(scope): " + matches.prefix(10).map(shown).joined(separator: "; ") + ".",
                remedy: "Give more digits of the id, or add --source NAME. " + listing)
        }
        return matches[0].0
    }
}
