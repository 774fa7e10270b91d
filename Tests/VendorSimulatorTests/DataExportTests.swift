import Foundation
import Testing
import VendorSimulator
import ZIPFoundation

struct DataExportTests {
    /// The download links of the Data Export page, `&amp;` decoded.
    static func links(_ page: String) -> [String] {
        page.components(separatedBy: "href=\"").dropFirst().compactMap { part in
            part.split(separator: "\"").first.map { $0.replacingOccurrences(of: "&amp;", with: "&") }
        }.filter { $0.hasPrefix("/servlet/servlet.OrgExport?fileName=") }
    }

    @Test func thePageListsTheMonthsZipsAndTheServletServesThem() async throws {
        try await withVendor({ $0.exportPartBytes = 60_000 }) { vendor, client in
            let token = try await client.salesforceToken()
            let cookie = ("Cookie", "oid=\(vendor.organizationID); sid=\(token)")
            let page = try await client.send(
                .GET, "/ui/setup/export/DataExportPage/d?setupid=DataManagementExport", headers: [cookie])
            #expect(page.status == 200)
            let links = Self.links(page.text)
            #expect(links.count > 1)
            #expect(links[0].contains("fileName=WE_\(vendor.organizationID)_1.ZIP&id=092"))
            var members: [String: Data] = [:]
            for link in links {
                let zip = try await client.send(.GET, link, headers: [cookie])
                #expect(zip.status == 200)
                #expect(zip.header("Content-Length") == String(zip.body.count))
                #expect(zip.header("Content-Type") == "application/zip")
                let archive = try Archive(data: zip.body, accessMode: .read)
                for entry in archive {
                    var data = Data()
                    _ = try archive.extract(entry, consumer: { data.append($0) })
                    #expect(!entry.path.contains("/"))
                    members[entry.path] = data
                }
            }
            let expected = Dictionary(uniqueKeysWithValues: try vendor.export(month: 0).map { ($0.name, $0.contents) })
            #expect(members == expected)
        }
    }

    @Test func downloadsResumeWithRangeRequests() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let cookie = ("Cookie", "sid=\(token)")
            let archive = try #require(try vendor.dataExportArchives(month: 0).first)
            let path = "/servlet/servlet.OrgExport?fileName=\(archive.name)"
            let tail = try await client.send(.GET, path, headers: [cookie, ("Range", "bytes=100-")])
            #expect(tail.status == 206)
            #expect(tail.header("Content-Range") == "bytes 100-\(archive.contents.count - 1)/\(archive.contents.count)")
            #expect(tail.body == archive.contents.dropFirst(100))
            let middle = try await client.send(.GET, path, headers: [cookie, ("Range", "bytes=10-19")])
            #expect(middle.body == archive.contents.subdata(in: 10..<20))
            let beyond = try await client.send(
                .GET, path, headers: [cookie, ("Range", "bytes=\(archive.contents.count)-")])
            #expect(beyond.status == 416)
            #expect(beyond.header("Content-Range") == "bytes */\(archive.contents.count)")
            let head = try await client.send(.HEAD, path, headers: [cookie])
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.header("Content-Length") == String(archive.contents.count))
            let huge = try await client.send(.GET, path, headers: [cookie, ("Range", "bytes=0-\(Int.max)")])
            #expect(huge.status == 206 && huge.body == archive.contents)
        }
    }

    @Test func withoutASessionCookieThePagesRedirectToLogin() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let page = try await client.send(
                .GET, "/ui/setup/export/DataExportPage/d?setupid=DataManagementExport",
                headers: [("Authorization", "Bearer \(token)")])
            #expect(page.status == 302)
            #expect(page.header("Location")?.hasPrefix("/?ec=302&startURL=") == true)
            let name = try #require(try vendor.dataExportArchives(month: 0).first?.name)
            let zip = try await client.send(.GET, "/servlet/servlet.OrgExport?fileName=\(name)")
            #expect(zip.status == 302)
        }
    }

    @Test func theNextMonthsExportReplacesTheListing() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let cookie = ("Cookie", "sid=\(token)")
            vendor.currentMonth = 1
            let page = try await client.send(
                .GET, "/ui/setup/export/DataExportPage/d?setupid=DataManagementExport", headers: [cookie])
            let link = try #require(Self.links(page.text).first)
            let zip = try await client.send(.GET, link, headers: [cookie])
            #expect(zip.body == (try vendor.dataExportArchives(month: 1).first?.contents))
            #expect(zip.body != (try vendor.dataExportArchives(month: 0).first?.contents))
        }
    }
}
