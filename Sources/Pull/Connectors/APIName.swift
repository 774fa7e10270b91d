/// Field, object and id names as the vendors' APIs spell them: ASCII letters, digits and `_`. A name from a vendor
/// response that is anything else is refused rather than spliced into a query, a CSV header or a file name.
enum APIName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
            }
    }
}
