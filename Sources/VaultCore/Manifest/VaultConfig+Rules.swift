/// The shape of the config's body (docs/FORMAT.md §4.1); `validate()` checks what binds its values together.
extension VaultConfig {
    static let shape: JSONShape = .object([
        ("version", .version, true),
        ("vault", .hex(bytes: 16), true),
        ("created", .time, true),
        ("ownerSigningKey", .hex(bytes: 32), true),
        ("ownerSealingKey", .hex(bytes: 32), true),
        ("ownerKeyFile", .hex(bytes: 32), true),
        (
            "chunker",
            .object([
                ("algorithm", .oneOf(["fastcdc-gear64-v1"]), true),
                ("minimum", .integer(64...(16 << 20)), true),
                ("average", .integer(64...(16 << 20)), true),
                ("maximum", .integer(64...(16 << 20)), true),
                ("alignment", .oneOf(["newline", "none"]), true),
            ]), true
        ),
        ("compression", .object([("algorithm", .oneOf(["zstd"]), true), ("level", .integer(1...22), true)]), true),
        ("blockTarget", .integer(1...Int64(PackFormat.maximumBlockTarget)), true),
        ("packTarget", .integer(1...SnapshotManifest.largestInteger), true),
    ])
}
