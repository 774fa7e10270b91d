extension Vault {
    /// Reports every file that is not part of the format (docs/FORMAT.md §3), so nothing in a vault goes
    /// unauthenticated: each known file is checked elsewhere; an unknown one is a problem. Lock files and
    /// `tmp/` are the exceptions (not authenticated by design; `tmp/` holds leftovers).
    func unexpectedFiles() throws -> [String] {
        var unexpected: [String] = []
        let known: Set<String> = ["config", "keys", "chain", "snapshots", "packs", "index", "audit", "locks", "tmp"]
        for name in try storage.list("") where !known.contains(name) { unexpected.append(name) }
        for name in try storage.list("keys") where name != "owner.key" { unexpected.append("keys/" + name) }
        for name in try storage.list("locks") where name != "writer.lock" { unexpected.append("locks/" + name) }
        for name in try storage.list("chain") {
            let sequence = name.hasSuffix(".entry") ? Int(name.dropLast(6)) : nil
            if sequence == nil || ChainEntry.path(sequence: sequence!) != "chain/" + name { unexpected.append("chain/" + name) }
        }
        for name in try storage.list("audit") {
            let sequence = name.hasSuffix(".entry") ? Int(name.dropLast(6)) : nil
            if sequence == nil || AuditEntry.path(sequence: sequence!) != "audit/" + name { unexpected.append("audit/" + name) }
        }
        for name in try storage.list("snapshots") {
            let isManifest = name.hasSuffix(".manifest") && Digest(hex: name.dropLast(9))?.hex == String(name.dropLast(9))
            if !isManifest { unexpected.append("snapshots/" + name) }
        }
        for (directory, suffix) in [("packs", ".pack"), ("index", ".index")] {
            for prefix in try storage.list(directory) {
                let isPrefix = prefix.count == 2 && Hex.decode(prefix) != nil && prefix == prefix.lowercased()
                let files = try storage.list(directory + "/" + prefix)
                if !isPrefix && files.isEmpty { unexpected.append("\(directory)/\(prefix)"); continue }
                for file in files {
                    let stem = file.hasSuffix(suffix) ? String(file.dropLast(suffix.count)) : ""
                    let isValid = isPrefix && Digest(hex: stem)?.hex == stem && stem.hasPrefix(prefix)
                    if !isValid { unexpected.append("\(directory)/\(prefix)/\(file)") }
                }
            }
        }
        return unexpected
    }
}
