import Foundation

/// The audit log lies in plaintext on the medium, so by default it does not record where things are outside the
/// vault (restore targets, key files, export paths on the backup host): every argument that names such a path is
/// recorded as `<path>`, and the same path is removed from the outcome text (docs/FORMAT.md §12). `--audit-verbose`
/// records them as given.
enum PathRedaction {
    static let placeholder = "<path>"

    /// `arguments` with every value that names a path outside `vaultPath` replaced, and the texts replaced (each as
    /// given and as an absolute path, longest first) for ``scrub(_:removing:)``.
    static func arguments(_ arguments: [String], vaultPath: String?) -> (arguments: [String], removed: [String]) {
        let vault = vaultPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        var removed: [String] = []
        let redacted = arguments.map { argument -> String in
            let (flag, value) = split(argument)
            guard isPath(value), !isInside(value, vault) else { return argument }
            removed += [value, URL(fileURLWithPath: value).standardizedFileURL.path]
            return flag.map { "\($0)=\(placeholder)" } ?? placeholder
        }
        return (redacted, Array(Set(removed)).sorted { $0.count > $1.count })
    }

    /// `text` with every occurrence of the removed paths replaced.
    static func scrub(_ text: String, removing removed: [String]) -> String {
        removed.reduce(text) { $0.replacingOccurrences(of: $1, with: placeholder) }
    }

    /// `--flag=value` as its flag and value; any other argument is a value (a flag alone names no path).
    private static func split(_ argument: String) -> (flag: String?, value: String) {
        guard argument.hasPrefix("-") else { return (nil, argument) }
        guard let equals = argument.firstIndex(of: "=") else { return (nil, "") }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func isPath(_ value: String) -> Bool {
        !value.isEmpty && (value.contains("/") || FileManager.default.fileExists(atPath: value))
    }

    private static func isInside(_ value: String, _ vault: String?) -> Bool {
        guard let vault else { return false }
        let path = URL(fileURLWithPath: value).standardizedFileURL.path
        return path == vault || path.hasPrefix(vault + "/")
    }
}
