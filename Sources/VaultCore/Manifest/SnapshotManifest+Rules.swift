/// The rules of docs/FORMAT.md §8 that a manifest must keep, checked without any key: its shape (every key known, of the
/// right kind and range), the rules that bind the whole document, and the rules of each file entry. A reader refuses a
/// manifest that breaks a document rule; restore refuses (only) the files that break a file rule.
extension SnapshotManifest {
    /// The largest count or size a manifest may hold: what canonical JSON's integers allow (§2).
    static let largestInteger: Int64 = (1 << 53) - 1

    static let contentShape: JSONShape = .object([
        ("chunks", .array(.hex(bytes: 32)), false),
        ("count", .integer(Int64(inlineChunkLimit + 1)...largestInteger), false),
        ("list", .array(.hex(bytes: 32)), false),
    ])

    static let entryShape: JSONShape = .object([
        ("path", .string, true),
        ("type", .oneOf(["directory", "file", "symlink"]), true),
        ("mode", .integer(0...0o7777), true),
        ("mtime", .integer(-largestInteger...largestInteger), true),
        ("mtimeNanoseconds", .integer(0...999_999_999), true),
        ("size", .integer(0...largestInteger), false),
        ("digest", .hex(bytes: 32), false),
        ("content", contentShape, false),
        ("packs", .array(.integer(0...largestInteger)), false),
        ("target", .string, false),
    ])

    /// §8's table.
    static let shape: JSONShape = .object([
        ("version", .version, true),
        ("vault", .hex(bytes: 16), true),
        ("time", .time, true),
        ("label", .string, true),
        (
            "source",
            .object([
                ("kind", .oneOf(["directory", "file", "zip"]), true),
                ("name", .string, true),
                ("origin", .string, false),
            ]), true
        ),
        ("files", .array(entryShape), true),
        ("packs", .array(.hex(bytes: 32)), true),
        ("bytesIn", .integer(0...largestInteger), true),
        ("resolve", .array(.hex(bytes: 32)), false),
        ("sealed", .hexBytes, true),
    ])

    /// The rules that bind the whole manifest (§8): sorted and unique paths and packs, every pack used by a file,
    /// `bytesIn`, `sealed` and `source`. Empty when it keeps them all.
    func documentViolations(vault: String) -> [FormatViolation] {
        var violations: [FormatViolation] = []
        func broken(_ detail: String) { violations.append(FormatViolation("§8", detail)) }
        if self.vault != vault { broken("`vault` is \(self.vault), not this vault's id \(vault)") }
        if let origin = source.origin, origin.isEmpty || origin == "default" {
            broken("`source.origin` is \"\(origin)\"; the default source is written by leaving `origin` out")
        }
        if let index = files.indices.dropLast().first(where: {
            !files[$0].path.utf8.lexicographicallyPrecedes(files[$0 + 1].path.utf8)
        }) {
            let (first, second) = (files[index], files[index + 1])
            broken(
                first.path == second.path
                    ? "the path \"\(first.path)\" appears twice in `files`"
                    : "`files` is not sorted by path: \"\(second.path)\" follows \"\(first.path)\"")
        }
        if let index = packs.indices.dropLast().first(where: { !(packs[$0] < packs[$0 + 1]) }) {
            broken(
                packs[index] == packs[index + 1]
                    ? "the pack \(packs[index]) appears twice in `packs`"
                    : "`packs` is not sorted: \(packs[index + 1]) follows \(packs[index])")
        }
        if let resolve {
            if resolve.isEmpty { broken("`resolve` is empty; a manifest with nothing to resolve leaves it out") }
            if let index = resolve.indices.dropLast().first(where: { !(resolve[$0] < resolve[$0 + 1]) }) {
                broken(
                    resolve[index] == resolve[index + 1]
                        ? "the id \(resolve[index]) appears twice in `resolve`"
                        : "`resolve` is not sorted: \(resolve[index + 1]) follows \(resolve[index])")
            } else if let index = resolve.indices.dropLast().first(where: {
                resolve[$0].prefix(2 * ChunkReference.shortLength) == resolve[$0 + 1].prefix(2 * ChunkReference.shortLength)
            }) {
                broken("`resolve` holds \(resolve[index]) and \(resolve[index + 1]), which begin with the same 8 bytes")
            }
        }
        var used = Set<Int>()
        for file in files { used.formUnion(file.packs ?? []) }
        if let unused = packs.indices.first(where: { !used.contains($0) }) {
            broken("`packs[\(unused)]` (\(packs[unused])) holds no chunk any file is read from")
        }
        let sum = files.reduce(0) { $0 + ($1.type == "file" ? max($1.size ?? 0, 0) : 0) }
        if sum != bytesIn { broken("`bytesIn` is \(bytesIn), but its files' sizes add up to \(sum)") }
        let isZip = source.kind == "zip"
        if isZip && sealed.utf8.count <= 2 * SealingKey.sealOverhead {
            broken(
                "a zip's manifest must carry its sealed provenance in `sealed` (more than \(SealingKey.sealOverhead) bytes)"
            )
        } else if !isZip && !sealed.isEmpty {
            broken("`sealed` is not empty, but only a zip's manifest carries provenance")
        }
        return violations
    }

    /// The first rule of §8 that `file` (at `index` in `files`) breaks, or nil. `maximumChunk` is the vault's
    /// `chunker.maximum`; `parents` maps every path of the manifest to its type.
    func violation(of file: Entry, at index: Int, maximumChunk: Int, types: [String: String]) -> FormatViolation? {
        let name = "`files[\(index)]` (\"\(file.path)\")"
        func broken(_ detail: String) -> FormatViolation { FormatViolation("§8", "\(name) \(detail)") }
        guard ExportPath.isSafe(file.path) else {
            return broken(
                "is not a relative, normalized path (no leading `/`, no empty, `.` or `..` component, no NUL)")
        }
        var parent = Substring(file.path)
        while let slash = parent.lastIndex(of: "/") {
            parent = parent[..<slash]
            if let type = types[String(parent)], type != "directory" {
                return broken("lies under \"\(parent)\", which is a \(type), not a directory")
            }
        }
        let present = [
            "size": file.size != nil, "digest": file.digest != nil, "content": file.content != nil,
            "packs": file.packs != nil, "target": file.target != nil,
        ]
        let expected: Set<String> =
            switch file.type {
            case "file": ["size", "digest", "content", "packs"]
            case "symlink": ["target"]
            default: []
            }
        for key in present.keys.sorted() where present[key]! != expected.contains(key) {
            return broken(
                present[key]!
                    ? "is a \(file.type) and has `\(key)`, which only other types have"
                    : "is a \(file.type) without `\(key)`")
        }
        switch file.type {
        case "symlink":
            if file.mode != 0o777 {
                return broken("is a symlink with mode \(String(file.mode, radix: 8)) (a symlink's mode is 777)")
            }
            if let target = file.target, target.isEmpty || target.utf8.contains(0) {
                return broken("is a symlink with an empty target or a NUL")
            }
            return nil
        case "file":
            return fileContentViolation(file, maximumChunk: maximumChunk).map { broken($0) }
        default:
            return nil
        }
    }

    /// What is wrong with a file's `content` and `packs` for its `size`, or nil.
    private func fileContentViolation(_ file: Entry, maximumChunk: Int) -> String? {
        let size = file.size ?? 0
        let fewest = (size + maximumChunk - 1) / maximumChunk
        let content = file.content!
        switch (content.chunks, content.count, content.list) {
        case (let chunks?, nil, nil):
            if chunks.count > Self.inlineChunkLimit {
                return "lists \(chunks.count) chunk ids inline (at most \(Self.inlineChunkLimit))"
            }
            if chunks.count > size || chunks.count < fewest {
                return "has \(size) bytes in \(chunks.count) chunks; chunks hold 1 to \(maximumChunk) bytes each"
            }
        case (nil, let count?, let list?):
            if count > size || count < fewest {
                return "has \(size) bytes in \(count) chunks; chunks hold 1 to \(maximumChunk) bytes each"
            }
            let (shortest, longest) = ChunkReference.listLengthRange(count: count)
            if list.isEmpty || list.count > longest || list.count < (shortest + maximumChunk - 1) / maximumChunk {
                return "has a chunk list of \(shortest) to \(longest) bytes in \(list.count) list chunks; "
                    + "chunks hold 1 to \(maximumChunk) bytes each"
            }
        default:
            return "has a `content` that is neither {\"chunks\"} nor {\"count\",\"list\"}"
        }
        let numbers = file.packs!
        if let bad = numbers.first(where: { $0 >= packs.count }) {
            return "names pack \(bad), but `packs` has \(packs.count)"
        }
        if zip(numbers, numbers.dropFirst()).contains(where: { $0.0 >= $0.1 }) {
            return "has `packs` that are not sorted and unique"
        }
        if (size == 0) != numbers.isEmpty {
            return size == 0 ? "is empty but names packs" : "has bytes but names no pack"
        }
        return nil
    }

    /// Every file rule broken, by the index of the file in `files`.
    func fileViolations(maximumChunk: Int) -> [Int: FormatViolation] {
        let types = Dictionary(files.map { ($0.path, $0.type) }, uniquingKeysWith: { first, _ in first })
        var violations: [Int: FormatViolation] = [:]
        for (index, file) in files.enumerated() {
            if let violation = violation(of: file, at: index, maximumChunk: maximumChunk, types: types) {
                violations[index] = violation
            }
        }
        return violations
    }
}
