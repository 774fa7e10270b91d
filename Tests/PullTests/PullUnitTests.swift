import Foundation
import Testing

@testable import Pull
import VaultCore

struct CSVRecordCounterTests {
    @Test(arguments: [
        ("Id,Name\n1,a\n2,b\n", 2),
        ("Id,Name\r\n1,\"a\r\nb\"\r\n2,\"say \"\"hi\"\"\"\r\n", 2),
        ("Id,Name\n1,\"comma, and\nnewline\"\n2,b", 2),
        ("Id\n", 0),
        ("", 0),
        ("Id\n\n1\n\n", 1),
    ])
    func countsRecordsWhoseQuotedFieldsHoldLineEnds(text: String, records: Int) {
        var counter = CSVRecordCounter()
        // Fed byte by byte, so a quote or CRLF split across reads is handled too.
        for byte in text.utf8 { counter.consume([byte]) }
        #expect(counter.records == records)
        #expect(!counter.finished().isInsideQuotes)
    }

    @Test func aTextCutInsideAQuotedFieldIsNoticed() {
        var counter = CSVRecordCounter()
        counter.consume(Array("Id,Name\n1,\"cut sh".utf8))
        #expect(counter.finished().isInsideQuotes)
    }

    @Test func headerFieldsAreUnquoted() throws {
        #expect(
            try CSVHeader.fields(of: Array("\u{FEFF}\"Id\",\"Na\"\"me\",Plain".utf8), file: "x.csv") == [
                "Id", "Na\"me", "Plain",
            ])
    }

    @Test func jsonVendorsAreWrittenInSalesforceQuoting() {
        #expect(SalesforceStyleCSV.row(["a\"b", nil, "", "x,y\nz"]) == Array("\"a\"\"b\",,\"\",\"x,y\nz\"\n".utf8))
    }
}

struct RetryPolicyTests {
    @Test func retryAfterIsHonouredInSecondsAndAsADateAndCapped() {
        let policy = RetryPolicy(
            retries: 3, baseDelay: .seconds(1), maximumDelay: .seconds(8), maximumRetryAfter: .seconds(30))
        let now = Date(timeIntervalSince1970: 1_784_000_000)
        #expect(policy.delay(attempt: 1, retryAfter: "7", now: now) == .seconds(7))
        #expect(policy.delay(attempt: 1, retryAfter: "86400", now: now) == .seconds(30))
        let date = "Thu, 13 Jul 2026 03:33:40 GMT"
        let seconds = RetryPolicy.seconds(retryAfter: date, now: now)
        #expect(seconds != nil)
    }

    @Test func backoffGrowsExponentiallyWithJitterAndIsCapped() {
        let policy = RetryPolicy(retries: 9, baseDelay: .seconds(1), maximumDelay: .seconds(8))
        for attempt in 1...6 {
            let delay = policy.delay(attempt: attempt, retryAfter: nil)
            let ceiling = min(Duration.seconds(1) * (1 << (attempt - 1)), .seconds(8))
            #expect(delay >= ceiling / 2 && delay <= ceiling)
        }
    }
}

struct DownloadRangeTests {
    @Test func contentRangeIsParsedStrictly() {
        #expect(
            ResumableDownload.contentRange("bytes 1000-1999/2000").map { [$0.start, $0.end, $0.total] } == [
                1000, 1999, 2000,
            ])
        #expect(ResumableDownload.contentRange("bytes */2000") == nil)
        #expect(ResumableDownload.contentRange("bytes 5-1/9") == nil)
    }

    @Test func exportLinksStayOnTheInstanceAndHavePlainNames() throws {
        let instance = URL(string: "https://acme.my.salesforce.com")!
        let html = """
            <a href="/servlet/servlet.OrgExport?fileName=WE_00D000000000001AAA_1.ZIP&amp;id=0920000000001">1</a>
            <a href='/servlet/servlet.OrgExport?fileName=WE_00D000000000001AAA_2.ZIP&amp;id=0920000000002'>2</a>
            """
        let links = try SalesforceExportConnector.exportLinks(in: html, instance: instance)
        #expect(links.map(\.name) == ["WE_00D000000000001AAA_1.ZIP", "WE_00D000000000001AAA_2.ZIP"])
        #expect(
            links.first?.url.absoluteString
                == "https://acme.my.salesforce.com/servlet/servlet.OrgExport?fileName=WE_00D000000000001AAA_1.ZIP&id=0920000000001"
        )
        #expect(throws: (any Error).self) {
            try SalesforceExportConnector.exportLinks(
                in: "<a href=\"https://evil.example/servlet/servlet.OrgExport?fileName=x.zip\">", instance: instance)
        }
        #expect(throws: (any Error).self) {
            try SalesforceExportConnector.exportLinks(
                in: "<a href=\"/servlet/servlet.OrgExport?fileName=../x.zip\">", instance: instance)
        }
    }
}

struct ODataPageReaderTests {
    @Test func numbersKeepTheVendorsTextAndEscapesAreResolved() throws {
        let json = #"""
            {"@odata.context":"x","@odata.count":2,"value":[
              {"@odata.etag":"W/\"1\"","revenue":15000000.00,"n":-1.5e3,"ok":true,"gone":null,
               "name":"Zoë \"Z\" \u00e9\ud83d\ude00\n","nested":{"a":[1,2]}}],
             "@odata.nextLink":"https://x/api/data/v9.2/accounts?$skiptoken=%3Ccookie%3E"}
            """#
        let page = try ODataPageReader.read(Array(json.utf8))
        #expect(page.count == 2)
        #expect(page.nextLink == "https://x/api/data/v9.2/accounts?$skiptoken=%3Ccookie%3E")
        let record = try #require(page.records.first)
        #expect(record["revenue"] == .number("15000000.00"))
        #expect(record["n"]?.csvText == "-1.5e3")
        #expect(record["ok"]?.csvText == "true")
        #expect(record["gone"] == .null)
        #expect(record["name"]?.csvText == "Zoë \"Z\" é😀\n")
        #expect(record["nested"]?.csvText == #"{"a":[1,2]}"#)
        #expect(record["@odata.etag"]?.csvText == "W/\"1\"")
    }

    @Test(arguments: [
        "{\"value\":[", "{\"value\":[{\"a\":01x}]}", String(repeating: "[", count: 100), "{\"value\":[]} trailing",
    ])
    func malformedPagesAreRefused(json: String) {
        #expect(throws: (any Error).self) { try ODataPageReader.read(Array(json.utf8)) }
    }
}

struct VendorMessageTests {
    /// The reason a vendor gave is kept as it said it (the export manifest's JSON holds it exactly) and escaped once,
    /// where it is printed: a terminal escape shows as `\e`, a backslash as `\\`, not doubled.
    @Test func aVendorsReasonIsKeptExactAndEscapedOnceWhenPrinted() {
        let body = #"[{"errorCode":"MALFORMED_QUERY","message":"bad \u001b[31m C:\\x\nnext"}]"#
        let summary = VendorMessage(body: Array(body.utf8)).summary(redactor: Redactor())
        #expect(summary == "MALFORMED_QUERY: bad \u{1b}[31m C:\\x\nnext")
        #expect(TerminalText.escaped(summary) == #"MALFORMED_QUERY: bad \e[31m C:\\x\nnext"#)
    }
}
