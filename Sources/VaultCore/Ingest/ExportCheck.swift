import Foundation

/// What `backup` expects its input to be (`--kind`).
public enum ExportKind: String, Sendable, CaseIterable {
    /// A CRM export: at least one CSV file whose first line is a header row (the default with `backup --source`).
    case crmExport = "crm-export"
    /// Any files at all.
    case any
}

/// What an input must look like before a byte of it is written to a vault.
public struct ExportExpectations: Sendable {
    public var kind: ExportKind
    /// Records a snapshot of an export that holds no file with any bytes (`--allow-empty`).
    public var allowsEmpty: Bool

    public init(kind: ExportKind = .any, allowsEmpty: Bool = false) {
        self.kind = kind
        self.allowsEmpty = allowsEmpty
    }
}

/// The regular files of an export with their sizes, read without reading their contents.
struct ExportSurvey {
    var files: [(path: String, size: Int)] = []
    var bytes: Int { files.reduce(0) { $0 + $1.size } }
}

/// Checks, before anything is written, that an input is what the backup expects: a file named `.zip` must be a zip,
/// an export must hold something, and a CRM export must hold a CSV with a header row. What an expired vendor session
/// downloads (an HTML login page saved as `export.zip`) must fail the backup, not become the month's snapshot.
enum ExportCheck {
    static func check(_ source: any ExportSource, input: URL, _ expectations: ExportExpectations) throws -> ExportSurvey {
        let survey = try source.survey()
        if !expectations.allowsEmpty && !survey.files.contains(where: { $0.size > 0 }) {
            let what = survey.files.isEmpty ? "holds no files" : "holds only empty files (\(survey.files.count))"
            throw VaultError(.exportRejected,
                "The export \(input.path) \(what): there is nothing to back up, and a snapshot of nothing would become "
                    + "`latest`. Nothing was written to the vault.",
                remedy: "Check the export (did the download or the vendor's export finish?); pass --allow-empty to record an "
                    + "empty snapshot on purpose.")
        }
        guard expectations.kind == .crmExport else { return survey }
        let candidates = survey.files.filter { $0.path.lowercased().hasSuffix(".csv") && $0.size > 0 }
        // A few hundred are plenty to find one header row; an export of 70,000 CSV files is not read 70,000 times.
        for candidate in candidates.prefix(256) {
            if Self.startsWithHeaderRow(try source.prefix(of: candidate.path, count: 64 << 10)) { return survey }
        }
        let shown = survey.files.prefix(5).map(\.path).joined(separator: ", ") + (survey.files.count > 5 ? ", …" : "")
        throw VaultError(.exportRejected,
            "The export \(input.path) does not look like a CRM export: "
                + (candidates.isEmpty ? "it holds no CSV file" : "none of its \(candidates.count) CSV files starts with a header row")
                + " (it holds \(survey.files.count == 1 ? "1 file" : "\(survey.files.count) files"): \(shown)). Nothing was "
                + "written to the vault.",
            remedy: "Check that this is the vendor's export; to back up other files on purpose, pass --kind any.")
    }

    /// True when `bytes` (the start of a CSV file) begin with a header row: one line (after an optional UTF-8 BOM) of
    /// comma-, semicolon- or tab-separated names, each non-empty once unquoted, with no control characters.
    static func startsWithHeaderRow(_ bytes: [UInt8]) -> Bool {
        var line = bytes[...]
        if line.starts(with: [0xef, 0xbb, 0xbf]) { line = line.dropFirst(3) }
        // A quoted header name may not hold a line break in any export we know; the first line is the header.
        guard let end = line.firstIndex(where: { $0 == 0x0a || $0 == 0x0d }) else { return false }
        line = line[..<end]
        // A NUL byte means a binary file; other control bytes may be hostile column names, which are still a header.
        guard !line.isEmpty, !line.contains(0) else { return false }
        let text = String(decoding: line, as: UTF8.self)
        let separator: Character = [",", ";", "\t"].max { first, second in
            text.filter { $0 == first }.count < text.filter { $0 == second }.count
        } ?? ","
        let names = text.split(separator: separator, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        return names.allSatisfy { !$0.isEmpty }
    }

    /// What a file is, from its first bytes, for the message that refuses a `.zip` that is not one.
    static func describe(_ head: [UInt8]) -> String {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<(offset + prefix.count)]) == prefix
        }
        if head.isEmpty { return "an empty file" }
        let text = String(decoding: head.prefix(512), as: UTF8.self).lowercased()
            .trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{feff}")))
        if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") || text.contains("<head") || text.contains("<body") {
            return "HTML (a web page, such as the login page an expired vendor session downloads)"
        }
        if text.hasPrefix("<?xml") { return "XML (possibly an error reply from the vendor's API)" }
        if text.hasPrefix("{") || text.hasPrefix("[{") || text.hasPrefix("[\"") { return "JSON (possibly an error reply from the vendor's API)" }
        if starts(Array("%PDF".utf8)) { return "a PDF document" }
        if starts([0x1f, 0x8b]) { return "gzip-compressed data" }
        if starts(Array("BZh".utf8)) { return "bzip2-compressed data" }
        if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return "xz-compressed data" }
        if starts([0x28, 0xb5, 0x2f, 0xfd]) { return "zstd-compressed data" }
        if starts([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) { return "a 7-Zip archive" }
        if starts(Array("Rar!".utf8)) { return "a RAR archive" }
        if starts(Array("ustar".utf8), at: 257) { return "a tar archive" }
        if starts([0x50, 0x4b]) { return "a damaged or partial zip (it starts like one but has no valid first record)" }
        // Text: no control bytes but tabs and line ends (UTF-8 or a single-byte code page alike).
        if !head.prefix(4096).contains(where: { $0 < 0x09 || ($0 > 0x0d && $0 < 0x20) || $0 == 0x7f }) {
            return "plain text" + (startsWithHeaderRow(Array(head)) ? " (it looks like a CSV file)" : "")
        }
        return "binary data of no kind crmvault recognizes"
    }
}
