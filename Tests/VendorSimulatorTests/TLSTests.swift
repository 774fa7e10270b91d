import AsyncHTTPClient
import Foundation
import Testing
import VendorSimulator

struct TLSTests {
    @Test func theServerIsTrustedThroughItsCAFileAndOnlyThrough() async throws {
        try await withVendor { vendor, client in
            #expect(vendor.baseURL.host == "127.0.0.1")
            let pem = try String(contentsOf: vendor.caCertificateFile, encoding: .utf8)
            #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
            #expect(try await client.send(.GET, "/services/data").status == 200)
            let untrusting = VendorClient(vendor, trustCA: false)
            let error = await #expect(throws: (any Error).self) {
                _ = try await untrusting.send(.GET, "/services/data", timeout: .seconds(2))
            }
            #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
            try await untrusting.shutdown()
            #expect(vendor.servedRequests.count == 1, "the refused client's request never reached the vendor")
        }
    }

    @Test func theCAFileGoesWhereTheCallerSays() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vendor-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ca.pem")
        try await withVendor({ $0.caCertificateFile = file }) { vendor, client in
            let status = try await client.send(.GET, "/services/data").status
            #expect(vendor.caCertificateFile == file)
            #expect(status == 200)
        }
        #expect(FileManager.default.fileExists(atPath: file.path))
    }
}
