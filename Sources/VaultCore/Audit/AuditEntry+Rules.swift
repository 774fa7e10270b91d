/// The shape of an audit entry's body (docs/FORMAT.md §12).
extension AuditEntry {
    static let shape: JSONShape = .object([
        ("version", .version, true),
        ("vault", .hex(bytes: 16), true),
        ("sequence", ChainEntry.count, true),
        ("previous", .hex(bytes: 32), true),
        ("signer", .hex(bytes: 32), true),
        (
            "event",
            .object([
                ("arguments", .array(.string), true),
                ("host", .string, true),
                ("operation", .string, true),
                ("outcome", .string, true),
                ("time", .time, true),
                ("user", .string, true),
            ]), true
        ),
    ])
}
