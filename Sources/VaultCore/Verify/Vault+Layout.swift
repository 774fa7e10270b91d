import Foundation

extension Vault {
    /// The directories of the layout (docs/FORMAT.md §3); each must be a real directory when present.
    static let layoutDirectories = ["keys", "chain", "snapshots", "packs", "index", "audit", "locks", "tmp"]

    /// Reports every entry that is not part of the format (docs/FORMAT.md §3) or not of the kind the format puts
    /// there, so nothing in a vault goes unauthenticated and nothing planted goes unseen: each known file is checked
    /// elsewhere; an unknown one, a link, FIFO, device or socket anywhere, a file where a directory belongs or a
    /// directory where a file belongs is a problem. Regular files in `tmp/` are leftovers (reported as such).
    func layoutProblems() throws -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        func misplaced(_ path: String, _ kind: FileKind, expected: FileKind) {
            problems.append(VerifyProblem(file: path, message: kind.misplacement(expected: expected)))
        }
        func unexpected(_ path: String) {
            problems.append(VerifyProblem(file: path, message: "is not part of the vault format (unexpected file)"))
        }
        /// Each entry of `directory` must be a regular file whose name `isValid` accepts.
        func checkFiles(in directory: String, isValid: (String) -> Bool) throws {
            for entry in try storage.entries(directory) {
                let path = "\(directory)/\(entry.name)"
                if !isValid(entry.name) { unexpected(path) } else if entry.kind != .file { misplaced(path, entry.kind, expected: .file) }
            }
        }

        var present: Set<String> = []
        for entry in try storage.entries("") {
            if entry.name == VaultConfig.path {
                if entry.kind != .file { misplaced(entry.name, entry.kind, expected: .file) }
            } else if Self.layoutDirectories.contains(entry.name) {
                if entry.kind == .directory { present.insert(entry.name) } else { misplaced(entry.name, entry.kind, expected: .directory) }
            } else {
                unexpected(entry.name)
            }
        }
        if present.contains("keys") { try checkFiles(in: "keys") { "keys/" + $0 == OwnerKeyFile.path } }
        if present.contains("locks") {
            try checkFiles(in: "locks") { $0 == "writer.lock" }
            if try storage.kind(of: "locks/writer.lock") == .file, let problem = lockFileProblem() { problems.append(problem) }
        }
        if present.contains("chain") {
            try checkFiles(in: "chain") { name in
                name.hasSuffix(".entry") && Int(name.dropLast(6)).map { ChainEntry.path(sequence: $0) == "chain/" + name } == true
            }
        }
        if present.contains("audit") {
            try checkFiles(in: "audit") { name in
                name.hasSuffix(".entry") && Int(name.dropLast(6)).map { AuditEntry.path(sequence: $0) == "audit/" + name } == true
            }
        }
        if present.contains("snapshots") {
            try checkFiles(in: "snapshots") { name in
                name.hasSuffix(".manifest") && Digest(hex: name.dropLast(9))?.hex == String(name.dropLast(9))
            }
        }
        for (directory, suffix) in [("packs", ".pack"), ("index", ".index")] where present.contains(directory) {
            for prefix in try storage.entries(directory) {
                let path = "\(directory)/\(prefix.name)"
                let isPrefix = prefix.name.count == 2 && Hex.decode(prefix.name) != nil
                guard prefix.kind == .directory else {
                    if isPrefix { misplaced(path, prefix.kind, expected: .directory) } else { unexpected(path) }
                    continue
                }
                let files = try storage.entries(path)
                if !isPrefix && files.isEmpty {
                    unexpected(path)
                    continue
                }
                for file in files {
                    let stem = file.name.hasSuffix(suffix) ? String(file.name.dropLast(suffix.count)) : ""
                    let filePath = "\(path)/\(file.name)"
                    if !isPrefix || Digest(hex: stem)?.hex != stem {
                        unexpected(filePath)
                    } else if !stem.hasPrefix(prefix.name) {
                        // Named like one of the vault's files but in another fan-out folder: readers look only in its own.
                        problems.append(VerifyProblem(file: filePath, violation: FormatViolation("§3",
                            "is in the wrong folder: it belongs in \(directory)/\(stem.prefix(2))/, where readers look for it"), signedBy: nil))
                    } else if file.kind != .file {
                        misplaced(filePath, file.kind, expected: .file)
                    }
                }
            }
        }
        if present.contains("tmp") {
            for entry in try storage.entries("tmp") where entry.kind != .file {
                problems.append(VerifyProblem(file: "tmp/\(entry.name)",
                    message: "is \(entry.kind) in tmp/, where crmvault only ever writes regular files: backups neither follow "
                        + "nor delete it; remove it by hand"))
            }
        }
        return problems
    }

    /// Checks what the writer lock would check (one name, owned by this user), without taking it.
    private func lockFileProblem() -> VerifyProblem? {
        do {
            try VaultLock.inspect(LocalDirectoryStorage(root: URL(fileURLWithPath: location)))
            return nil
        } catch let error as VaultError where error.code == .vaultDamaged {
            return VerifyProblem(file: "locks/writer.lock", message: error.message)
        } catch {
            return nil
        }
    }

    /// Refuses to write into a vault whose directories are not real directories (a link, a plain file, a FIFO in the
    /// place of `tmp/`, `packs/ab/`, …): a backup would otherwise write, rename or delete through them.
    func requireSoundLayout() throws {
        var directories = Self.layoutDirectories
        for parent in ["packs", "index"] where storage.exists(parent) {
            directories += try storage.entries(parent).filter { $0.name.count == 2 && Hex.decode($0.name) != nil }.map { "\(parent)/\($0.name)" }
        }
        for directory in directories {
            _ = try storage.entries(directory)  // throws, naming it, unless it is a real directory or absent
        }
    }

    /// Names of the entries of `kind` directly in `directory`. A directory that is missing, or is not a real
    /// directory (verify's layout check reports that, and writers refuse it), holds none here: nothing is followed.
    func names(in directory: String, kind: FileKind = .file) throws -> [String] {
        do {
            return try storage.entries(directory).filter { $0.kind == kind }.map(\.name)
        } catch let error as VaultError where error.code == .vaultDamaged {
            return []
        }
    }
}
