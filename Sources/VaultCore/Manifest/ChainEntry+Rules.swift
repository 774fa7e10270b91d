/// The rules of docs/FORMAT.md §9 for a chain entry, checked without any key: its shape per type, and the rules that
/// depend on the entries before it. The rules that need its manifest or its packs are in ``SnapshotEntryCheck``.
extension ChainEntry {
    static let count: JSONShape = .integer(0...SnapshotManifest.largestInteger)

    static let drillShape: JSONShape = .object([
        ("result", .oneOf(["fail", "pass"]), true),
        (
            "objects",
            .array(
                .object([
                    ("digest", .hex(bytes: 32), true),
                    ("name", .string, true),
                    ("records", count, true),
                    ("rows", count, true),
                    ("vendorRecords", count, false),
                ])), true
        ),
        ("files", count, true),
        ("checks", count, true),
        ("warnings", count, true),
        ("failures", .array(.string), true),
        (
            "milliseconds",
            .object([("build", count, true), ("checks", count, true), ("restore", count, true), ("total", count, true)]
            ), true
        ),
        ("crmvaultVersion", .string, true),
    ])

    /// §9's tables: the keys every entry has, and those of its type.
    static func shape(type: String) -> JSONShape {
        var members: [(String, JSONShape, Bool)] = [
            ("version", .version, true),
            ("vault", .hex(bytes: 16), true),
            ("sequence", count, true),
            ("previous", .hex(bytes: 32), true),
            ("time", .time, true),
            ("signer", .hex(bytes: 32), true),
            ("type", .oneOf(["authorize-writer", "drill", "init", "snapshot"]), true),
            ("auditCount", count, true),
            ("auditHead", .hex(bytes: 32), true),
        ]
        switch type {
        case "init":
            members += [("config", .hex(bytes: 32), true)]
        case "authorize-writer":
            members += [("writer", .hex(bytes: 32), true), ("name", .string, true)]
        case "snapshot":
            members += [
                ("snapshot", .hex(bytes: 32), true), ("packs", .array(.hex(bytes: 32)), true),
                ("root", .hex(bytes: 32), true),
                ("files", count, true), ("bytesIn", count, true), ("bytesStored", count, true),
            ]
        case "drill":
            members += [("snapshot", .hex(bytes: 32), true), ("drill", drillShape, true)]
        default:
            break
        }
        return .object(members)
    }

    /// The rules of §9 and §9.1 that depend on the chain read so far (`state`, before this entry): `init` only at 0,
    /// a snapshot entry's `packs` sorted, unique and claimed by no earlier entry, a writer authorized once and never the
    /// owner, the audit head of an empty log, a drill's failures. `owner` is the config's owner key.
    func violations(after state: ChainState, owner: PublicSigningKey) -> [FormatViolation] {
        var violations: [FormatViolation] = []
        func broken(_ section: String, _ detail: String) { violations.append(FormatViolation(section, detail)) }
        if (type == .initialize) != (sequence == 0) {
            broken(
                "§9",
                sequence == 0
                    ? "entry 0 is a `\(type.rawValue)` entry, but the chain starts with `init`"
                    : "is an `init` entry at sequence \(sequence); `init` is always entry 0 and only entry 0")
        }
        if (auditCount == 0) != (auditHead == Digest.zero.hex) {
            broken(
                "§9",
                "has `auditCount` \(auditCount ?? 0) with `auditHead` \(auditHead ?? ""); an empty audit log's head is 64 zeros, "
                    + "and only its")
        }
        switch type {
        case .snapshot:
            let names = packs ?? []
            if let index = names.indices.dropLast().first(where: { !(names[$0] < names[$0 + 1]) }) {
                broken(
                    "§9",
                    names[index] == names[index + 1]
                        ? "claims the pack \(names[index]) twice"
                        : "has `packs` that are not sorted: \(names[index + 1]) follows \(names[index])")
            }
            for name in names {
                if let digest = Digest(hex: name), let earlier = state.claimedPacks[digest] {
                    broken("§9", "claims the pack \(name), which chain entry \(earlier) already claimed")
                }
            }
        case .authorizeWriter:
            if let key = writer.flatMap(PublicSigningKey.init(hex:)) {
                if key == owner { broken("§9", "authorizes the owner's own key as a writer") }
                if state.authorizedWriters.contains(key) {
                    broken("§9", "authorizes the writer \(key.hex) a second time")
                }
            }
        case .drill:
            if let record = drill {
                if record.failures.count > DrillRecord.maximumFailures {
                    broken("§9.1", "holds \(record.failures.count) failures (at most \(DrillRecord.maximumFailures))")
                }
                if let long = record.failures.first(where: {
                    $0.unicodeScalars.count > DrillRecord.maximumFailureLength
                }) {
                    broken(
                        "§9.1",
                        "holds a failure of \(long.unicodeScalars.count) characters (at most \(DrillRecord.maximumFailureLength))"
                    )
                }
                if record.isPassed && !record.failures.isEmpty { broken("§9.1", "passed but lists failures") }
            }
        case .initialize:
            break
        }
        return violations
    }
}
