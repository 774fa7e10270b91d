/// The manifest of one snapshot (docs/FORMAT.md §8); its SHA-256 is the snapshot id.
public struct SnapshotManifest: Codable, Sendable {
    public struct Source: Codable, Sendable {
        public var kind: String
        public var name: String
        /// The stable name of the system exported (e.g. `salesforce-prod`), for coverage; absent means `default`.
        public var origin: String?
    }

    /// A file's chunk ids, inline for small files or through a stored chunk list for large ones.
    public struct Content: Codable, Sendable {
        public var chunks: [String]?
        public var count: Int?
        public var list: [String]?
    }

    public struct Entry: Codable, Sendable {
        public var path: String
        public var type: String
        public var mode: Int
        public var mtime: Int
        public var mtimeNanoseconds: Int
        public var size: Int?
        public var digest: String?
        public var content: Content?
        /// Indexes into the manifest's `packs` of the packs holding this file's chunks.
        public var packs: [Int]?
        public var target: String?
    }

    public var version: Int
    public var vault: String
    public var time: String
    public var label: String
    public var source: Source
    public var files: [Entry]
    public var packs: [String]
    public var bytesIn: Int
    /// The ids that short references of this snapshot's chunk lists name where their 8 bytes begin more than one id of
    /// the snapshot's packs (§8); nil (left out) when there is none, as in every well-formed vault but the rarest.
    public var resolve: [String]?
    public var sealed: String

    static func path(_ id: Digest) -> String { "snapshots/\(id.hex).manifest" }
    static let inlineChunkLimit = 256
    /// The most bytes a manifest file may hold (docs/FORMAT.md §8): readers refuse a larger one unread, so writers
    /// refuse to commit one.
    static let maximumBytes = 256 << 20
}

/// Owner-only provenance sealed inside a manifest: the vendor zip's digest and member list.
public struct Provenance: Codable, Sendable {
    public struct Zip: Codable, Sendable {
        public var name: String
        public var sha256: String
        public var size: Int
        public var members: [Member]
    }

    public struct Member: Codable, Sendable {
        public var name: String
        public var size: Int
        public var compressedSize: Int
        public var crc32: Int
    }

    public var zip: Zip?
}
