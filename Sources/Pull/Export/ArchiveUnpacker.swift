import Crypto
import ExportLayout
import Foundation
import VaultCore
import ZIPFoundation

/// Unpacks a vendor zip (a Salesforce Data Export part, a zip dropped by SFTP) into a staged export under the rules
/// the vault applies to zips it backs up (docs/THREAT-MODEL.md, "Hostile input"): no absolute paths, `..`, `.` or
/// empty components, no links, no member twice (across all the archives of one export), no member that inflates past
/// its declared size or beyond 400:1, and every member's CRC-32 checked. Files are created new, mode 0600.
struct ArchiveUnpacker {
    let export: URL
    let fileLimit: Int
    /// Members already unpacked into this export, from this or an earlier archive.
    private(set) var members: Set<String> = []

    static let maximumRatio: UInt64 = 400

    init(export: URL, fileLimit: Int) {
        self.export = export
        self.fileLimit = fileLimit
    }

    /// Unpacks `zip` and returns its provenance (name, SHA-256, size) for the export manifest's `archives`.
    mutating func unpack(_ zip: URL, name: String) throws -> ExportArchive {
        func refuse(_ reason: String) -> VaultError {
            VaultError(
                .vendorFailed,
                "The archive \(TerminalText.escaped(name)) was refused: \(reason). Nothing was written to the vault.",
                remedy: "Ask the vendor for a new export, or unpack and inspect it by hand.")
        }
        let archive: Archive
        do { archive = try Archive(url: zip, accessMode: .read) } catch {
            throw refuse("it is not a readable zip archive")
        }
        let entries = Array(archive)
        var seen = Set<String>()
        for entry in entries {
            var path = entry.path
            while path.hasSuffix("/") { path.removeLast() }
            let shown = TerminalText.escaped(entry.path)
            if entry.type == .symlink { throw refuse("member \"\(shown)\" is a symbolic link") }
            if path.contains("\\") {
                throw refuse("member \"\(shown)\" uses `\\` between folders (the zip format requires `/`)")
            }
            guard Self.isSafe(path) else {
                throw refuse("member \"\(shown)\" has an absolute path or a `..`, `.` or empty component")
            }
            guard seen.insert(path).inserted, !members.contains(path) else {
                throw refuse("member \"\(shown)\" appears twice")
            }
            if entry.type == .file {
                let size = UInt64(entry.uncompressedSize)
                guard size <= UInt64(fileLimit) else {
                    throw refuse("member \"\(shown)\" is larger than the pull's file limit")
                }
                if size > 1 << 20 && size / max(UInt64(entry.compressedSize), 1) > Self.maximumRatio {
                    throw refuse(
                        "member \"\(shown)\" claims a compression ratio beyond \(Self.maximumRatio):1 (zip bomb)")
                }
            }
        }
        for entry in entries {
            var path = entry.path
            while path.hasSuffix("/") { path.removeLast() }
            let target = export.appendingPathComponent(path)
            do { try makeParents(of: path) } catch {
                throw refuse("member \"\(TerminalText.escaped(path))\" lies under another member that is a file")
            }
            if entry.type == .directory {
                if !FileManager.default.fileExists(atPath: target.path) {
                    try StagingArea.makePrivateDirectory(target, intermediate: false)
                }
                continue
            }
            let file: StagedFile
            do { file = try StagedFile(creating: target, limit: fileLimit) } catch {
                throw refuse("member \"\(TerminalText.escaped(path))\" clashes with another member")
            }
            let declared = UInt64(entry.uncompressedSize)
            var actual: UInt64 = 0
            var writeFailure: (any Error)?
            let checksum: CRC32
            do {
                checksum = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { data in
                    actual += UInt64(data.count)
                    guard actual <= declared else {
                        throw refuse(
                            "member \"\(TerminalText.escaped(path))\" inflates beyond its declared \(declared) bytes (zip bomb)"
                        )
                    }
                    do { try file.append(data) } catch {
                        writeFailure = error
                        throw error
                    }
                }
            } catch {
                if let writeFailure { throw writeFailure }
                if let vaultError = error as? VaultError { throw vaultError }
                throw refuse("member \"\(TerminalText.escaped(path))\" cannot be read (corrupt or cut short)")
            }
            guard actual == declared else {
                throw refuse("member \"\(TerminalText.escaped(path))\" holds \(actual) bytes but declares \(declared)")
            }
            guard checksum == entry.checksum else {
                throw refuse("member \"\(TerminalText.escaped(path))\" fails its CRC-32 check")
            }
            try file.finish()
        }
        members.formUnion(seen)
        return ExportArchive(name: name, sha256: try Self.sha256(of: zip), size: Self.size(of: zip))
    }

    /// Creates the missing folders on the way to `path` (mode 0700).
    private func makeParents(of path: String) throws {
        var current = export
        for component in path.split(separator: "/").dropLast() {
            current = current.appendingPathComponent(String(component))
            if !FileManager.default.fileExists(atPath: current.path) {
                try StagingArea.makePrivateDirectory(current, intermediate: false)
            }
        }
    }

    /// Relative, `/`-separated, without `.`, `..`, empty components, backslashes or control characters.
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"),
            !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    static func sha256(of url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw VaultError(.ioFailed, "Cannot read \(url.path).")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data: data) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func size(of url: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }
}
