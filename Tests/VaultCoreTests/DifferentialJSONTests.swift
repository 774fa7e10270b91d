import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Reads every signed or hashed JSON document of a test vault, and forged variants of them, with crmvault's strict
/// reader and with a second, independent one (Python's `json`, duplicate keys detected, run as a subprocess), and
/// checks that both accept exactly the same documents and agree on their value (docs/FORMAT.md §2, issue 9).
struct DifferentialJSONTests {
    /// Accepts a document only if it parses with no key twice, no float, `null` or boolean, integers within
    /// (-2^53, 2^53), is an object, and re-encodes (sorted keys, no whitespace, UTF-8 literally) to the same bytes.
    static let python = #"""
        import json, sys
        def pairs(members):
            keys = [key for key, _ in members]
            if len(set(keys)) != len(keys):
                raise ValueError("duplicate key")
            return dict(members)
        def refuse(text):
            raise ValueError("not an integer: " + text)
        def check(value):
            if value is None or isinstance(value, (bool, float)):
                raise ValueError("not a v1 value")
            if isinstance(value, int) and not -(2**53) < value < 2**53:
                raise ValueError("out of range")
            for child in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else []):
                check(child)
        for line in sys.stdin:
            data = bytes.fromhex(line.strip())
            try:
                value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_float=refuse, parse_constant=refuse)
                if not isinstance(value, dict):
                    raise ValueError("not an object")
                check(value)
                again = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
                print("accept " + again.hex() if again == data else "refuse differs")
            except Exception as error:
                print("refuse " + str(error).replace("\n", " "))
        """#

    /// Python's verdict on each document: the re-encoded bytes when it accepts it, nil when it refuses it.
    static func pythonVerdicts(_ documents: [[UInt8]]) throws -> [[UInt8]?] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", python]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(documents.map { Hex.encode($0) + "\n" }.joined().utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            line.hasPrefix("accept ") ? Hex.decode(line.dropFirst(7)) : nil
        }
    }

    /// Every JSON body the vault hashes or signs: config, owner key file, chain and audit entries, manifests.
    static func documents(of url: URL) throws -> [(name: String, body: [UInt8])] {
        var documents: [(String, [UInt8])] = []
        let files = try FileManager.default.subpathsOfDirectory(atPath: url.path).sorted()
        for file in files {
            let isSigned = file == "config" || file.hasSuffix(".entry")
            guard isSigned || file.hasSuffix(".manifest") || file == "keys/owner.key" else { continue }
            let bytes = Array(try Data(contentsOf: url.appendingPathComponent(file)))
            if isSigned {
                documents.append((file, try #require(SignedDocument(parsing: bytes)).body))
            } else {
                documents.append((file, Array(bytes.dropLast())))
            }
        }
        return documents
    }

    @Test func bothReadersAcceptEveryDocumentOfAVaultAndRefuseTheSameForgeries() throws {
        let forged = try ForgedVault()
        let originals = try Self.documents(of: forged.url)
        #expect(originals.count == 9, "config, owner key, 4 chain entries, an audit entry and 2 manifests")

        // Each forgery means the same to a lenient parser, or something else to another one (a duplicate key).
        let entry = String(
            decoding: try #require(originals.first { $0.name.hasPrefix("chain/") && $0.name.hasSuffix("3.entry") })
                .body,
            as: UTF8.self)
        let edits: [(String) -> String] = [
            { $0.replacingOccurrences(of: "\"type\":", with: "\"type\":\"init\",\"type\":") },
            { $0.replacingOccurrences(of: ",\"type\":", with: ", \"type\":") },
            { $0.replacingOccurrences(of: "\"type\":", with: "\"\\u0074ype\":") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":1.0") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":01") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":-0") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":true") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":null") },
            { $0.replacingOccurrences(of: "\"version\":1", with: "\"version\":9007199254740992") },
            { "{\"zz\":\"caf\\u00e9\"," + $0.dropFirst() },
            { "{\"zz\":\"a\\/b\"," + $0.dropFirst() },
            { "{\"zz\":\"\\u001F\"," + $0.dropFirst() },
            { "{\"zz\":\"\\u0009\"," + $0.dropFirst() },
            { $0 + " " },
            { "[" + $0 + "]" },
        ]
        let forgeries = edits.map { Array($0(entry).utf8) }
        // Documents both must accept, beyond the vault's own: the escapes canonical JSON does write.
        let accepted = [Array("{\"a\":\"\\u001f\\t\\\"\\\\é\u{7f}/\",\"b\":[-5,[]],\"c\":{}}".utf8)]

        let documents = originals.map(\.body) + forgeries + accepted
        let theirs = try Self.pythonVerdicts(documents)
        try #require(theirs.count == documents.count)
        for (index, document) in documents.enumerated() {
            let ours = try? CanonicalJSONReader.read(document)
            let name = index < originals.count ? originals[index].name : String(decoding: document, as: UTF8.self)
            #expect((ours != nil) == (theirs[index] != nil), "the readers disagree on \(name)")
            if let value = ours, let again = theirs[index] {
                var encoded: [UInt8] = []
                value.write(to: &encoded)
                #expect(encoded == again, "the readers read \(name) as different values")
            }
        }
        #expect(theirs.prefix(originals.count).allSatisfy { $0 != nil }, "every document crmvault writes is canonical")
        #expect(
            theirs[originals.count..<(originals.count + forgeries.count)].allSatisfy { $0 == nil },
            "every forgery is refused")
        #expect(theirs.last! != nil)
    }
}
