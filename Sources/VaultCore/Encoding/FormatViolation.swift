/// A rule of docs/FORMAT.md that a vault file breaks: the section that states the rule, and what in the file breaks
/// it (a JSON path, a line, a byte offset). Readers throw it, verify reports it naming the file and the signer.
public struct FormatViolation: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The section of docs/FORMAT.md that states the rule, e.g. `§8`.
    public var section: String
    /// What breaks it, e.g. `files[2].path "../x" is not a relative, normalized path`.
    public var detail: String

    public init(_ section: String, _ detail: String) {
        self.section = section
        self.detail = detail
    }

    public var description: String { "breaks FORMAT.md \(section): \(detail)" }

    /// The same violation found inside a nested value: `path` goes in front of the detail's own path.
    func inside(_ path: String) -> FormatViolation { FormatViolation(section, path + detail) }
}
