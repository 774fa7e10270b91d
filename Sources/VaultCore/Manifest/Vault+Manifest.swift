/// A snapshot's manifest as a reader finds it: the manifest (when it decodes at all) and every rule of the format
/// that it, or the chain entry naming it, breaks.
struct ManifestReading {
    var id: Digest
    var manifest: SnapshotManifest?
    /// Rules of §2 and §8 the manifest breaks as a whole: a reader refuses the snapshot.
    var violations: [FormatViolation] = []
    /// Rules of §9 the chain entry breaks against its manifest (`files`, `bytesIn`, `root`, `packs`).
    var entryViolations: [FormatViolation] = []
    /// The entry's `bytesStored` against the sizes of the pack files it claims, when they differ: a rule of §9 the
    /// entry breaks only if every one of those packs hashes to its name (else a damaged pack changed the sum, and the
    /// pack is what verify reports). Verify decides that after reading the packs; readers do not use `bytesStored`.
    var storedSizeMismatch: (violation: FormatViolation, packs: [Digest])?
    /// Rules of §8 single files break, by index in `files`: a reader refuses those files.
    var fileViolations: [Int: FormatViolation] = [:]
}

extension Vault {
    /// Reads the manifest `entry` names, strictly (docs/FORMAT.md §2, §8): it must hash to the snapshot id, be exactly
    /// canonical JSON and one `\n`, know every key, and keep every rule of §8; and the entry must agree with it (§9).
    /// Throws only when the manifest is missing, unreadable or altered (it does not hash to its id).
    func readManifest(_ entry: StoredChainEntry) throws -> ManifestReading {
        guard let id = entry.entry.snapshot.flatMap(Digest.init(hex:)) else {
            throw VaultError(.chainBroken, "Chain entry \(entry.entry.sequence) names no snapshot.")
        }
        let path = SnapshotManifest.path(id)
        guard storage.exists(path) else {
            throw VaultError(
                .manifestCorrupted, "The manifest of snapshot \(id.shortForm) (\(path)) is missing.",
                remedy: "Copy it from another medium with `crmvault copy`, then run `crmvault verify`.")
        }
        let bytes = try storage.read(path, limit: ReadLimit.manifest)
        guard SHA256Hasher.hash(bytes) == id else {
            throw VaultError(
                .manifestCorrupted,
                "The manifest of snapshot \(id.shortForm) (\(path)) was altered: its hash does not match.",
                remedy: "Run `crmvault verify` and restore the file from another medium.")
        }
        var reading = ManifestReading(id: id)
        let body = Array(bytes.dropLast())
        if bytes.last != 0x0a || body.contains(0x0a) {
            reading.violations.append(FormatViolation("§8", "is not one line of canonical JSON followed by one `\\n`"))
        } else if let violation = CanonicalJSONReader.violation(of: body, shape: SnapshotManifest.shape, section: "§8")
        {
            reading.violations.append(violation)
        }
        reading.manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: body)
        guard let manifest = reading.manifest, reading.violations.isEmpty else { return reading }
        reading.violations = manifest.documentViolations(vault: self.id)
        reading.fileViolations = manifest.fileViolations(maximumChunk: config.chunker.maximum)
        reading.entryViolations = entryViolations(entry.entry, id: id, manifest: manifest)
        reading.storedSizeMismatch = storedSizeMismatch(entry.entry)
        return reading
    }

    /// The rules of §9 a snapshot entry breaks against its manifest.
    private func entryViolations(_ entry: ChainEntry, id: Digest, manifest: SnapshotManifest) -> [FormatViolation] {
        var violations: [FormatViolation] = []
        func broken(_ detail: String) { violations.append(FormatViolation("§9", detail)) }
        let files = manifest.files.count(where: { $0.type == "file" })
        if entry.files != files { broken("has `files` \(entry.files ?? -1), but its manifest holds \(files) files") }
        if entry.bytesIn != manifest.bytesIn {
            broken("has `bytesIn` \(entry.bytesIn ?? -1), but its manifest's is \(manifest.bytesIn)")
        }
        let claimed = entry.packs ?? []
        if let stray = claimed.first(where: { !Set(manifest.packs).contains($0) }) {
            broken("claims the pack \(stray), which its snapshot does not use")
        }
        if MerkleTree.root([id] + claimed.compactMap(Digest.init(hex:))).hex != entry.root {
            broken("has a `root` that is not the Merkle tree hash of its snapshot id and `packs`")
        }
        return violations
    }

    /// The entry's `bytesStored` when the pack files it claims, all present, hold another number of bytes (a missing
    /// pack is a problem of its own).
    private func storedSizeMismatch(_ entry: ChainEntry) -> (violation: FormatViolation, packs: [Digest])? {
        let claimed = (entry.packs ?? []).compactMap(Digest.init(hex:))
        let sizes = claimed.compactMap { try? storage.size(of: PackFormat.packPath($0)) }
        guard claimed.count == (entry.packs ?? []).count, sizes.count == claimed.count,
            Int(sizes.reduce(0, +)) != entry.bytesStored
        else { return nil }
        return (FormatViolation("§9", "has `bytesStored` \(entry.bytesStored ?? -1), but the packs it claims hold "
            + "\(sizes.reduce(0, +)) bytes"), claimed)
    }

    /// The manifest of a snapshot a reader may use: refused, naming the rule, when it or its chain entry breaks a rule
    /// of the whole document. Rules of single files are the caller's to apply (`SnapshotManifest.fileViolations`).
    func usableManifest(_ entry: StoredChainEntry) throws -> (id: Digest, manifest: SnapshotManifest) {
        let reading = try readManifest(entry)
        let path = SnapshotManifest.path(reading.id)
        guard let manifest = reading.manifest else {
            throw VaultError(
                .manifestCorrupted,
                "The manifest of snapshot \(reading.id.shortForm) (\(path)) does not parse: "
                    + (reading.violations.first?.description ?? "damaged") + ".",
                remedy: "Run `crmvault verify` for a full report.")
        }
        if let violation = reading.violations.first {
            throw VaultError(
                .manifestCorrupted,
                "The manifest of snapshot \(reading.id.shortForm) (\(path)) \(violation); "
                    + "crmvault never writes such a manifest, so it is not used.",
                remedy:
                    "Run `crmvault verify`: it names the rule and who signed it. Restore another snapshot meanwhile.")
        }
        // A `bytesStored` the claimed packs do not add up to breaks the rule only when they are all intact (the
        // signer's error); when one of them is damaged on the medium, the damage changed the sum, and the restore goes
        // on to lose only the files whose blocks fail.
        let broken = reading.entryViolations.first
            ?? reading.storedSizeMismatch.flatMap { mismatch in
                let limit = entry.entry.bytesStored
                return mismatch.packs.allSatisfy { packHashesToItsName($0, atMost: limit) } ? mismatch.violation : nil
            }
        if let violation = broken {
            throw VaultError(
                .chainBroken,
                "Chain entry \(entry.entry.sequence), which names snapshot \(reading.id.shortForm), "
                    + "\(violation); the snapshot is not used.",
                remedy:
                    "Run `crmvault verify`: it names the rule and who signed it. Restore another snapshot meanwhile.")
        }
        return (reading.id, manifest)
    }

    /// Whether the pack file's SHA-256 is its name (read whole, sequentially; false when it cannot be read, or holds
    /// more than the `bytesStored` of the entry that claims it, so that a pack grown on the medium is not read:
    /// ``PackSizeLimit``).
    private func packHashesToItsName(_ pack: Digest, atMost limit: Int?) -> Bool {
        if let limit, let size = try? storage.size(of: PackFormat.packPath(pack)), size > UInt64(max(limit, 0)) {
            return false
        }
        guard let file = try? storage.openSequential(PackFormat.packPath(pack)) else { return false }
        var reader = BufferedReader(file: file)
        guard (try? reader.drain()) != nil else { return false }
        return reader.finalize() == pack
    }

    /// The manifest as a listing shows it: as long as it hashes to its id and decodes, even when it breaks a rule
    /// (`usableManifest` refuses it then, and verify names the rule).
    func listedManifest(_ entry: StoredChainEntry) throws -> SnapshotManifest {
        let reading = try readManifest(entry)
        guard let manifest = reading.manifest else { return try usableManifest(entry).manifest }
        return manifest
    }
}
