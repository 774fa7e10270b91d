import Foundation

/// Salesforce's Data Export service as it is reached without a browser: the Setup page that lists the ready
/// export files (`/ui/setup/export/DataExportPage/d?setupid=DataManagementExport`) and the servlet that downloads
/// one (`/servlet/servlet.OrgExport?fileName=…&id=…`), both authenticated by the `sid` session cookie, as the
/// community's export downloaders use them. The export served is the current month's.
extension VendorHandlers {
    /// The login page an unauthenticated browser is sent to.
    func loginPage() -> VendorReply {
        .html(
            "<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body><form method=\"post\" "
                + "action=\"/\"><input type=\"text\" name=\"username\"><input type=\"password\" name=\"pw\">"
                + "</form></body></html>"
        )
    }

    /// The Data Export Setup page with one download link per zip of the current month.
    func exportListing(_ request: VendorRequest) throws -> VendorReply {
        try require(request, "GET", "HEAD")
        if let redirect = sessionRedirect(request) { return redirect }
        let month = state.currentMonth
        let archives = try exportArchives(month: month)
        var rows = ""
        for (index, archive) in archives.enumerated() {
            let link = "/servlet/servlet.OrgExport?fileName=\(archive.fileName)&amp;id=\(archive.id)"
            let size = String(format: "%.1f MB", Double(archive.contents.count) / 1_048_576)
            rows +=
                "<tr class=\"dataRow \(index % 2 == 0 ? "even" : "odd")\"><td class=\"actionColumn\"><a href=\""
                + "\(link)\" class=\"actionLink\">download</a></td><th scope=\"row\" class=\" dataCell  \">"
                + "\(archive.fileName)</th><td class=\" dataCell  \">\(size)</td></tr>\n"
        }
        let started = String(format: "2026-%02d-01", (month % 12) + 1)
        return .html(
            """
            <!DOCTYPE html>
            <html><head><title>Data Export ~ Salesforce - Enterprise Edition</title></head>
            <body><h1 class="pageType">Weekly Export Service</h1><h2 class="pageDescription">Data Export</h2>
            <div class="pbBody"><p>Export File Encoding: UTF-8 (Unicode). Export requested on \(started).
            Your export files are available for 48 hours after they are ready.</p>
            <table class="list" border="0" cellspacing="0" cellpadding="0">
            <tr class="headerRow"><th class="actionColumn" scope="col">Action</th><th scope="col">File Name</th>\
            <th scope="col">Size</th></tr>
            \(rows)</table></div></body></html>
            """)
    }

    /// One export zip, whole or (with `Range: bytes=…`) in part.
    func exportDownload(_ request: VendorRequest) throws -> VendorReply {
        try require(request, "GET", "HEAD")
        if let redirect = sessionRedirect(request) { return redirect }
        let archives = try exportArchives(month: state.currentMonth)
        guard let name = request.query["fileName"],
            let archive = archives.first(where: { $0.fileName == name }),
            request.query["id"].map({ $0 == archive.id }) ?? true
        else {
            return .html(
                "<html><body>The export file you asked for does not exist or has expired.</body></html>", status: 404)
        }
        let etag = "\"\(archive.sha256)\""
        var headers = [
            ("Content-Type", "application/zip"),
            ("Content-Disposition", "attachment; filename=\"\(archive.fileName)\""),
            ("Accept-Ranges", "bytes"), ("ETag", etag),
        ]
        let total = archive.contents.count
        let ifRangeMatches = request.header("If-Range").map { $0 == etag } ?? true
        guard let range = request.header("Range"), ifRangeMatches else {
            return VendorReply(status: 200, headers: headers, body: archive.contents)
        }
        guard let bounds = Self.byteRange(range, total: total) else {
            headers.append(("Content-Range", "bytes */\(total)"))
            return VendorReply(status: 416, headers: headers)
        }
        headers.append(("Content-Range", "bytes \(bounds.lowerBound)-\(bounds.upperBound - 1)/\(total)"))
        return VendorReply(status: 206, headers: headers, body: archive.contents.subdata(in: bounds))
    }

    /// The zips of a month, with the renamed-column faults applied to their CSV headers.
    func exportArchives(month: Int) throws -> [DataExportArchive] {
        let renames = state.faults.renamedColumns
        return try state.exportArchives(month: month, renames: renames) {
            let generated = try state.org.month(month)
            let files = generated.files.map { file -> (name: String, contents: Data) in
                let object = String(file.name.dropLast(4))
                guard renames.contains(where: { $0.object.caseInsensitiveCompare(object) == .orderedSame }),
                    let table = generated.tables[object]
                else { return file }
                let names = table.header.map { column in
                    renames.first {
                        $0.object.caseInsensitiveCompare(object) == .orderedSame
                            && $0.column.caseInsensitiveCompare(column) == .orderedSame
                    }?.newName ?? column
                }
                let body = table.render(columns: Array(table.header.indices), names: names, rows: 0..<table.rows.count)
                return (file.name, Data(body))
            }
            return try DataExportArchive.build(
                files: files, organizationID: state.org.organizationID, month: month, partBytes: state.exportPartBytes)
        }
    }

    /// A redirect to the login page unless the `sid` cookie holds a valid Salesforce session: a `302`, or with
    /// `Faults.sessionScriptRedirects` a `200` page whose script does the redirect.
    private func sessionRedirect(_ request: VendorRequest) -> VendorReply? {
        guard state.checkToken(request.cookie("sid"), for: .salesforce) != .valid else { return nil }
        let start = request.path + (request.rawQuery.isEmpty ? "" : "?" + request.rawQuery)
        let encoded = start.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard state.faults.sessionScriptRedirects else {
            return VendorReply(status: 302, headers: [("Location", "/?ec=302&startURL=\(encoded)")])
        }
        let target = "\(state.baseURL.current.absoluteString)/?ec=302&startURL=\(encoded)"
        return .html(
            "<html><head><meta name=\"robots\" content=\"noindex, nofollow\"></head><body><script>\n"
                + "if (window.location.replace){ \nwindow.location.replace('\(target)');\n} else {\n"
                + "window.location.href ='\(target)';\n} \n</script>\n</body></html>")
    }

    /// The one range of a `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` header, clamped to the body; `nil` when
    /// it cannot be satisfied.
    static func byteRange(_ header: String, total: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let first = spec[0].trimmingCharacters(in: .whitespaces)
        let last = spec[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0, total > 0 else { return nil }
            return max(0, total - suffix)..<total
        }
        guard let start = Int(first), start >= 0, start < total else { return nil }
        if last.isEmpty { return start..<total }
        guard let end = Int(last), end >= start else { return nil }
        return start..<(end >= total ? total : end + 1)
    }
}
