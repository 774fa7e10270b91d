import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

/// `crmvault-vendor-sim` run as a process, as an admin or a script would.
struct VendorSimulatorCommandTests {
    static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("crmvault-vendor-sim"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/crmvault-vendor-sim"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }()

    static func start(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    @Test func itPrintsWhereItServesKeepsTheSecretAndStopsOnSIGTERM() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vendor-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = "PLANTED-SECRET-\(UUID().uuidString)"
        let secretFile = folder.appendingPathComponent("secret")
        try Data((secret + "\n").utf8).write(to: secretFile)
        let caFile = folder.appendingPathComponent("ca.pem")
        let (process, out, err) = try Self.start([
            "--ca-out", caFile.path, "--client-secret-file", secretFile.path, "--scale", "2", "--json",
        ])
        var firstLine = Data()
        while !firstLine.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            firstLine.append(chunk)
        }
        let facts = try #require(try JSONSerialization.jsonObject(with: firstLine) as? [String: String])
        #expect(facts["caFile"] == caFile.path)
        #expect(facts["clientSecret"] == nil)
        let baseURL = try #require(facts["baseURL"])
        #expect(baseURL.hasPrefix("https://127.0.0.1:"))

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile.path)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/services/data"), timeout: .seconds(10))
        #expect(response.status.code == 200)
        try await client.shutdown()

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let printed = String(decoding: firstLine + out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!printed.contains(secret))
    }

    @Test func aBadFaultSpecificationIsAUsageErrorNamingTheEndpoints() throws {
        let (process, _, err) = try Self.start(["--server-error", "nowhere:503"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("unknown endpoint 'nowhere'"))
        #expect(message.contains("results"))
    }

    @Test func aCAFileThatCannotBeWrittenStopsTheStartWithExit5() throws {
        let (process, _, err) = try Self.start(["--ca-out", "/nonexistent-\(UUID().uuidString)/ca.pem", "--scale", "1"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 5)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("ca.pem"))
    }
}
