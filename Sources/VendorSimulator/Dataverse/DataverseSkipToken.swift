import Foundation

/// The `$skiptoken` of a Dataverse `@odata.nextLink`: a paging cookie naming the page number and the last and first
/// record ids of the page before, as Dataverse writes it
/// (`<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e…" istracking="False" />`).
struct DataverseSkipToken {
    let pageNumber: Int
    let lastID: String
    let firstID: String

    init(pageNumber: Int, lastID: String, firstID: String) {
        self.pageNumber = pageNumber
        self.lastID = lastID
        self.firstID = firstID
    }

    /// Reads a skiptoken as a client sends it back (already percent-decoded once from the query).
    init?(_ token: String) {
        guard let number = DataverseSkipToken.attribute("pagenumber", in: token).flatMap(Int.init),
            let cookie = DataverseSkipToken.attribute("pagingcookie", in: token),
            let inner = cookie.removingPercentEncoding?.removingPercentEncoding,
            let last = DataverseSkipToken.attribute("last", in: inner)
        else { return nil }
        pageNumber = number
        lastID = last.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).lowercased()
        firstID = DataverseSkipToken.attribute("first", in: inner) ?? ""
    }

    /// The token's text before it is percent-encoded into the next link.
    var encoded: String {
        let inner =
            "<cookie page=\"\(pageNumber - 1)\"><id last=\"{\(lastID.uppercased())}\" "
            + "first=\"{\(firstID.uppercased())}\" /></cookie>"
        let once = DataversePercent.encode(inner)
        let twice = DataversePercent.encode(once)
        return "<cookie pagenumber=\"\(pageNumber)\" pagingcookie=\"\(twice)\" istracking=\"False\" />"
    }

    private static func attribute(_ name: String, in text: String) -> String? {
        guard let range = text.range(of: "\(name)=\"") else { return nil }
        let rest = text[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}

/// Percent-encoding of everything but letters and digits, as in Dataverse's paging cookies.
enum DataversePercent {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
