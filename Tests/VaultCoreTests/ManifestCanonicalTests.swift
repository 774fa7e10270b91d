@testable import CRMExportGenerator
import Foundation
import Testing

@testable import VaultCore

/// A backup writes its manifest with `SnapshotManifest.canonicalBytes()`, straight from the fields, not through
/// `JSONEncoder` and a parsed tree. Its bytes must be exactly the canonical JSON of docs/FORMAT.md §2: these tests hold
/// it to `CanonicalJSON.encode` (the generic path every other document takes) and to the golden vault's manifests.
struct ManifestCanonicalTests {
    static func expectSameBytes(_ manifest: SnapshotManifest) throws {
        let direct = manifest.canonicalBytes()
        let generic = try CanonicalJSON.encode(manifest)
        #expect(direct == generic, "\(String(decoding: direct.prefix(400), as: UTF8.self))")
        // And the strict reader accepts it as canonical.
        #expect(throws: Never.self) { _ = try CanonicalJSONReader.read(direct) }
    }

    static func manifest(files: [SnapshotManifest.Entry], resolve: [String]?, origin: String?) -> SnapshotManifest {
        SnapshotManifest(
            version: 1, vault: String(repeating: "ab", count: 16), time: "2026-11-30T03:50:00Z",
            label: "label \"quoted\" \\ / é \u{1}\t\n", source: .init(kind: "directory", name: "exp\u{7f}ort", origin: origin),
            files: files, packs: [String(repeating: "0f", count: 32), String(repeating: "e1", count: 32)],
            bytesIn: (1 << 53) - 1, resolve: resolve, sealed: "")
    }

    @Test func everyOptionalPresentAndHostileStrings() throws {
        let file = SnapshotManifest.Entry(
            path: "ContentVersion/06800000000001\u{0}\u{1f}\"\\/ü😀\r\n", type: "file", mode: 0o644, mtime: -86_400,
            mtimeNanoseconds: 999_999_999, size: 5000, digest: String(repeating: "7a", count: 32),
            content: .init(chunks: [String(repeating: "11", count: 32)], count: 3, list: [String(repeating: "22", count: 32)]),
            packs: [0, 1], target: "../target")
        try Self.expectSameBytes(Self.manifest(files: [file], resolve: [String(repeating: "33", count: 32)], origin: "sf"))
    }

    @Test func everyOptionalAbsentAndNoFiles() throws {
        let directory = SnapshotManifest.Entry(
            path: "d", type: "directory", mode: 0o755, mtime: 0, mtimeNanoseconds: 0, size: nil, digest: nil, content: nil,
            packs: nil, target: nil)
        try Self.expectSameBytes(Self.manifest(files: [directory], resolve: nil, origin: nil))
        try Self.expectSameBytes(Self.manifest(files: [], resolve: nil, origin: nil))
        let empty = SnapshotManifest.Entry(
            path: "e", type: "file", mode: 0, mtime: 1, mtimeNanoseconds: 2, size: 0, digest: "", content: .init(),
            packs: [], target: nil)
        try Self.expectSameBytes(Self.manifest(files: [empty], resolve: [], origin: ""))
    }

    @Test func seededEntriesOfEveryShape() throws {
        var random = DeterministicRandom(seed: 17)
        let alphabet = Array("aZ09 ./\\\"é\u{1}\u{7f}\u{2028}😀\t".unicodeScalars)
        func text() -> String {
            String(String.UnicodeScalarView((0..<random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }))
        }
        func maybe<T>(_ make: () -> T) -> T? { random.below(2) == 0 ? nil : make() }
        let files = (0..<300).map { _ in
            SnapshotManifest.Entry(
                path: text(), type: ["file", "directory", "symlink"][random.below(3)], mode: random.below(0o7777),
                mtime: random.below(4_000_000_000) - 2_000_000_000, mtimeNanoseconds: random.below(1_000_000_000),
                size: maybe { random.below(1 << 40) }, digest: maybe { text() },
                content: maybe { .init(chunks: maybe { (0..<random.below(4)).map { _ in text() } },
                                       count: maybe { random.below(1000) },
                                       list: maybe { (0..<random.below(3)).map { _ in text() } }) },
                packs: maybe { (0..<random.below(4)).map { _ in random.below(100) } }, target: maybe { text() })
        }
        try Self.expectSameBytes(Self.manifest(files: files, resolve: maybe { [text()] }, origin: maybe { text() }))
    }

    @Test func rewritesTheGoldenVaultsManifestsByteForByte() throws {
        let snapshots = GoldenVaultTests.fixtures.appendingPathComponent("vault-v1/snapshots")
        let names = try FileManager.default.contentsOfDirectory(atPath: snapshots.path).filter { $0.hasSuffix(".manifest") }
        #expect(names.count == 2)
        for name in names {
            let stored = [UInt8](try Data(contentsOf: snapshots.appendingPathComponent(name)))
            let manifest = try CanonicalJSON.decode(SnapshotManifest.self, from: stored.dropLast())
            #expect(manifest.canonicalBytes() + [0x0a] == stored, "\(name)")
        }
    }
}
