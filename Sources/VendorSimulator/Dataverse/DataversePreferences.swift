import Foundation

/// The OData preferences of `Prefer` headers: `odata.maxpagesize=N` and `odata.include-annotations="…"`.
struct DataversePreferences {
    var maxPageSize: Int?
    /// The annotation patterns asked for, as sent (`*`, `OData.Community.Display.V1.FormattedValue`,
    /// `Microsoft.Dynamics.CRM.*`, comma-separated).
    var annotations: String?

    init(_ headers: [String]) {
        for header in headers {
            for preference in header.split(separator: ",", omittingEmptySubsequences: true) {
                let parts = preference.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard parts.count == 2 else { continue }
                switch parts[0].lowercased() {
                case "odata.maxpagesize": maxPageSize = Int(parts[1]).flatMap { $0 > 0 ? $0 : nil }
                case "odata.include-annotations":
                    annotations = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                default: break
                }
            }
        }
        // A quoted annotation list may itself contain commas, split above; put it back together.
        if let joined = DataversePreferences.annotationList(headers) { annotations = joined }
    }

    /// Whether the client asked for the annotation `name`.
    func includes(_ name: String) -> Bool {
        guard let annotations else { return false }
        return annotations.split(separator: ",").contains { pattern in
            let pattern = pattern.trimmingCharacters(in: .whitespaces)
            if pattern == "*" || pattern == name { return true }
            return pattern.hasSuffix(".*") && name.hasPrefix(String(pattern.dropLast(1)))
        }
    }

    private static func annotationList(_ headers: [String]) -> String? {
        for header in headers {
            guard let range = header.range(of: "odata.include-annotations=\"") else { continue }
            let rest = header[range.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { continue }
            return String(rest[..<close])
        }
        return nil
    }
}
