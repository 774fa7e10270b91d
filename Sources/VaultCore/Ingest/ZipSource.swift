import Foundation
import ZIPFoundation

/// A vendor's export zip. Members are ingested one by one, so months deduplicate against each other;
/// the zip's SHA-256 and member list are kept as owner-only provenance. Hostile archives are refused
/// before anything is written (docs/THREAT-MODEL.md, "Hostile input").
struct ZipSource: ExportSource {
    let url: URL
    var kind: String { "zip" }
    var name: String { url.lastPathComponent }

    /// Compression ratios above this, on members over 1 MiB and on the whole archive once it expands to more than
    /// 1 MiB, are treated as a zip bomb. Deflate tops out near 1032:1; CSV exports compress 5–20:1.
    static let maximumRatio: UInt64 = 400
    /// No export expands to more than this (1 TiB), whatever its ratio.
    static let maximumExpandedSize: UInt64 = 1 << 40

    static func looksLikeZip(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        return Array(head) == [0x50, 0x4b, 0x03, 0x04] || Array(head) == [0x50, 0x4b, 0x05, 0x06]
    }

    private func openArchive() throws -> Archive {
        do {
            return try Archive(url: url, accessMode: .read)
        } catch {
            throw VaultError(.hostileInput, "\(url.path) is not a readable zip archive: \(Self.describe(error)).",
                remedy: "Download the export again; the file may be truncated.")
        }
    }

    /// ZIPFoundation's errors in words (its case names, such as `missingEndOfCentralDirectoryRecord`, mean nothing to
    /// an admin).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? Archive.ArchiveError else { return "\(error)" }
        switch error {
        case .missingEndOfCentralDirectoryRecord:
            return "its end record (the table of contents at the end of every zip) is missing: the download was cut short "
                + "or this is not a zip"
        case .invalidCentralDirectoryOffset, .invalidCentralDirectorySize, .invalidCentralDirectoryEntryCount:
            return "its table of contents (central directory) is damaged"
        case .invalidLocalHeaderDataOffset, .invalidLocalHeaderSize: return "a member's header is damaged"
        case .invalidCompressionMethod: return "a member uses a compression method other than stored or deflate"
        case .invalidCRC32: return "a member fails its CRC-32 check (corrupt or tampered)"
        case .invalidEntrySize: return "a member declares an impossible size"
        case .invalidEntryPath: return "a member has an invalid name"
        case .unreadableArchive: return "the file cannot be read"
        default: return "the archive is malformed"
        }
    }

    private func refuse(_ reason: String) -> VaultError {
        VaultError(.hostileInput, "The zip \(url.path) was refused: \(reason). Nothing was written to the vault.",
            remedy: "Ask the vendor for a new export, or unpack and inspect it by hand.")
    }

    /// Member path without the trailing `/` of directory entries.
    private static func memberPath(_ entry: Entry) -> String {
        var path = entry.path
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    func validate() throws {
        // The directory is read independently first: ZIPFoundation would take a damaged one for an empty archive.
        let directory: ZipCentralDirectory
        do { directory = try ZipCentralDirectory(path: url.path) } catch { throw refuse(error.description) }
        let archiveSize = max(UInt64((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0), 1)
        if directory.expandedSize > Self.maximumExpandedSize {
            throw refuse("it expands to \(directory.expandedSize) bytes, more than the \(Self.maximumExpandedSize) an export may (zip bomb)")
        }
        if directory.expandedSize > 1 << 20 && directory.expandedSize / archiveSize > Self.maximumRatio {
            throw refuse("its \(directory.entryCount) members expand to \(directory.expandedSize) bytes from \(archiveSize), a ratio of "
                + "\(directory.expandedSize / archiveSize):1 (zip bomb)")
        }
        let archive = try openArchive()
        var seen = Set<String>()
        var files = Set<String>()
        var directories = Set<String>()
        for entry in archive {
            let path = Self.memberPath(entry)
            if entry.type == .symlink { throw refuse("member \"\(entry.path)\" is a symbolic link") }
            if path.contains("\\") {
                // Older Windows tools (.NET before 4.6.1, some archivers) write `\` between folders; the zip format
                // requires `/`, and a `\` name cannot be restored as the vendor meant it.
                throw VaultError(
                    .hostileInput,
                    "The zip \(url.path) was refused: member \"\(entry.path)\" uses `\\` between folders (a zip "
                        + "made on Windows by an older tool; the zip format requires `/`). Nothing was written to the "
                        + "vault.",
                    remedy: "Unzip it (`unzip` or Windows Explorer) and back up the folder, or the vendor's own zip.")
            }
            guard ExportPath.isSafe(path) else {
                throw refuse("member \"\(entry.path)\" has an absolute path or a `..`, `.` or empty component")
            }
            guard seen.insert(path).inserted else { throw refuse("member \"\(path)\" appears twice") }
            if entry.type == .directory {
                directories.insert(path)
            } else {
                files.insert(path)
                let size = UInt64(entry.uncompressedSize)
                let packed = max(UInt64(entry.compressedSize), 1)
                if size > 1 << 20 && size / packed > Self.maximumRatio {
                    throw refuse("member \"\(path)\" claims a compression ratio of \(size / packed):1 (zip bomb)")
                }
            }
        }
        guard seen.count == directory.entryCount else {
            throw refuse("its central directory lists \(directory.entryCount) entries, but \(seen.count) can be read")
        }
        for path in seen {
            var parent = path
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if files.contains(parent) { throw refuse("\"\(parent)\" is both a file and the directory of \"\(path)\"") }
            }
        }
        _ = directories
    }

    func walk(_ visitor: any ExportVisitor) throws {
        let archive = try openArchive()
        // Extra-field times pair with members by position in the central directory, checked by CRC; any mismatch and
        // every member keeps its DOS time.
        let inOrder = Array(archive)
        let extraTimes = ZipExtraTimes.read(url).flatMap { records in
            records.count == inOrder.count && zip(records, inOrder).allSatisfy { $0.crc32 == $1.checksum } ? records : nil
        }
        let entries = inOrder.enumerated().sorted {
            Self.memberPath($0.element).utf8.lexicographicallyPrecedes(Self.memberPath($1.element).utf8)
        }
        for (position, entry) in entries {
            let path = Self.memberPath(entry)
            // The archive is opened again here; check again, in case it changed since `validate`.
            guard ExportPath.isSafe(path), !path.contains("\\"), entry.type != .symlink else {
                throw refuse("member \"\(entry.path)\" has an unsafe path or is a link")
            }
            let date = entry.fileAttributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
            let mtime = extraTimes?[position].mtime ?? FileTime(seconds: Int(date.timeIntervalSince1970.rounded(.down)), nanoseconds: 0)
            let permissions = (entry.fileAttributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            if entry.type == .directory {
                try visitor.directory(path, mode: permissions == 0 ? 0o755 : permissions & 0o7777, mtime: mtime)
                continue
            }
            let declared = UInt64(entry.uncompressedSize)
            try visitor.file(path, mode: permissions == 0 ? 0o644 : permissions & 0o7777, mtime: mtime, size: Int(declared)) { consume in
                var actual: UInt64 = 0
                var failure: (any Error)?
                var checksum: UInt32 = 0
                do {
                    checksum = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { data in
                        actual += UInt64(data.count)
                        guard actual <= declared else {
                            throw refuse("member \"\(path)\" inflates beyond its declared \(declared) bytes (zip bomb)")
                        }
                        do {
                            try data.withUnsafeBytes { try consume($0) }
                        } catch {
                            failure = error
                            throw error
                        }
                    }
                } catch {
                    if let failure { throw failure }
                    if let vaultError = error as? VaultError { throw vaultError }
                    if case Archive.ArchiveError.invalidCRC32 = error {
                        throw refuse("member \"\(path)\" fails its CRC-32 check (corrupt or tampered)")
                    }
                    throw refuse("member \"\(path)\" cannot be read (\(Self.describe(error)))")
                }
                guard actual == declared else {
                    throw refuse("member \"\(path)\" holds \(actual) bytes but declares \(declared)")
                }
                // ZIPFoundation computes the CRC while streaming but leaves the comparison to the caller.
                guard checksum == entry.checksum else {
                    throw refuse("member \"\(path)\" fails its CRC-32 check (corrupt or tampered)")
                }
            }
        }
    }

    func survey() throws -> ExportSurvey {
        ExportSurvey(files: try openArchive().filter { $0.type == .file }.map { (Self.memberPath($0), Int($0.uncompressedSize)) })
    }

    /// The first bytes of a member (the CRC is not checked on a part; `walk` checks every member whole).
    func prefix(of path: String, count: Int) throws -> [UInt8] {
        let archive = try openArchive()
        guard let entry = archive.first(where: { $0.type == .file && Self.memberPath($0) == path }) else { return [] }
        struct Enough: Error {}
        var bytes: [UInt8] = []
        do {
            _ = try archive.extract(entry, bufferSize: 16 << 10, skipCRC32: true) { data in
                bytes += data.prefix(count - bytes.count)
                if bytes.count >= count { throw Enough() }
            }
        } catch is Enough {
        } catch {
            throw refuse("member \"\(path)\" cannot be read (\(Self.describe(error)))")
        }
        return bytes
    }

    func provenance() throws -> Provenance? {
        let archive = try openArchive()
        let members = archive.map { entry in
            Provenance.Member(
                name: entry.path, size: Int(entry.uncompressedSize), compressedSize: Int(entry.compressedSize), crc32: Int(entry.checksum))
        }
        var hasher = SHA256Hasher()
        var size = 0
        try DirectorySource.stream(url.path) { bytes in
            hasher.update(bytes)
            size += bytes.count
        }
        return Provenance(zip: .init(name: name, sha256: hasher.finalize().hex, size: size, members: members))
    }
}
