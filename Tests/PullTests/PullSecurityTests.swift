import Definitions
import Foundation
import Testing
import VaultCore
import VaultTesting
import VendorSimulator

@testable import Pull

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct PullSecurityTests {
    @Test func aPlantedSecretAndTheTokenCanaryAppearNowhere() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        let schedule = try fixture.schedule(fixture.scheduleText(objects: ["Account"]))
        let result = try await fixture.pull(schedule)

        // A second pull that fails after tokens were issued and renewed, so errors and retries are logged too.
        var faults = VendorSimulator.Faults()
        faults.tokenExpiresAfterRequests = 2
        faults.serverErrors = [.init(.describe, status: 503, count: 20)]
        fixture.vendor.faults = faults
        let failure = try await #require(throws: VaultError.self) { try await fixture.pull(schedule, month: 1) }
        #expect(fixture.vendor.servedRequests.filter { $0.endpoint == .salesforceToken && $0.status == 200 }.count >= 2)

        let canaries = [
            PullFixture.plantedSecret, PullFixture.tokenCanary,
            PullFixture.plantedSecret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
        ]
        var texts =
            fixture.logs.lines + fixture.progress + [
                failure.description, String(describing: failure), failure.cause ?? "",
            ]
        texts.append(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
        for text in texts {
            for canary in canaries { #expect(!text.contains(canary), "a secret leaked into: \(text.prefix(200))") }
        }
        for (path, bytes) in try fixture.everythingWritten() where path != fixture.secretFile.path {
            for canary in canaries {
                #expect(bytes.range(of: Data(canary.utf8)) == nil, "a secret is in the file \(path)")
            }
        }
    }

    @Test func aWorldReadableSecretFileIsRefusedBeforeTheVendorIsAsked() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        chmod(fixture.secretFile.path, 0o644)
        let schedule = try fixture.schedule(fixture.scheduleText(objects: ["Account"]))
        let error = try await #require(throws: VaultError.self) { try await fixture.pull(schedule) }
        #expect(error.code == .keyFileInsecure)
        #expect(error.remedy?.contains("chmod 600 \(fixture.secretFile.path)") == true)
        #expect(fixture.vendor.servedRequests.isEmpty)
    }

    @Test func aServerCertificateFromAnUntrustedCAIsRefusedWithoutRetrying() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var small = VendorSimulator.Options()
        small.scale = 1
        let other = try await VendorSimulator.start(small)
        let started = ContinuousClock.now
        let wrongCA = fixture.scheduleText(objects: ["Account"])
            .replacingOccurrences(of: fixture.vendor.caCertificateFile.path, with: other.caCertificateFile.path)
        let error = try await #require(throws: VaultError.self) {
            try await fixture.pull(try fixture.schedule(wrongCA))
        }
        await other.stop()
        #expect(error.code == .networkFailed)
        #expect(error.message.contains("certificate"))
        #expect(error.remedy?.contains("ca_file") == true)
        #expect(fixture.vendor.servedRequests.isEmpty)

        let systemRootsOnly = fixture.scheduleText(objects: ["Account"])
            .replacingOccurrences(of: "ca_file = \"\(fixture.vendor.caCertificateFile.path)\"\n", with: "")
        let second = try await #require(throws: VaultError.self) {
            try await fixture.pull(try fixture.schedule(systemRootsOnly))
        }
        #expect(second.code == .networkFailed)
        #expect(
            ContinuousClock.now - started < .seconds(8), "a certificate failure must not wait for the connect timeout")
        #expect(fixture.snapshotCount == 0)
    }

    @Test func theSecretComesFromACommandRunWithoutAShell() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write(
            "print-secret", Data("#!/bin/sh\nprintf '%s\\n' \"s3cret-from-command\"\n".utf8))
        chmod(script.path, 0o700)
        let secret = try VendorSecret.read(from: .command([script.path]))
        #expect(secret.withUnsafeBytes { Array($0) } == Array("s3cret-from-command".utf8))
        #expect(String(describing: secret) == "<secret redacted>")
        // `;` is an argument, not a shell operator: nothing else runs.
        let marker = directory.path("ran")
        let refused = try #require(throws: VaultError.self) {
            try VendorSecret.read(from: .command(["/bin/false", ";", "touch", marker.path]))
        }
        #expect(refused.message.contains("failed"))
        #expect(!FileManager.default.fileExists(atPath: marker.path))
    }

    @Test func aSecretFileThatIsALinkIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let real = try directory.write("real.secret", Data("abc".utf8))
        chmod(real.path, 0o600)
        let link = directory.path("link.secret")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        let error = try #require(throws: VaultError.self) { try VendorSecret.read(from: .file(link)) }
        #expect(error.message.contains("symbolic link"))
    }

    @Test func theRedactorBlanksSecretsAsIsAndPercentEncoded() {
        let redactor = Redactor()
        var bytes = Array("p@ss w/rd+1".utf8)
        redactor.register(VendorSecret(consuming: &bytes))
        #expect(bytes.isEmpty)
        let text = redactor.redact("body client_secret=p%40ss%20w%2Frd%2B1 and header p@ss w/rd+1.")
        #expect(text == "body client_secret=[REDACTED] and header [REDACTED].")
    }
}

struct VendorHTTPClientRuleTests {
    static func client(instance: String, allowInsecureLoopback: Bool = false) throws -> VendorHTTPClient {
        var source = SourceDefinition(vendor: .salesforce)
        source.instanceURL = URL(string: instance)
        source.allowInsecureLoopback = allowInsecureLoopback
        return try VendorHTTPClient(
            source: source, policy: RetryPolicy(retries: 0), redactor: Redactor(), logger: LogCapture().logger)
    }

    @Test func plainHTTPGoesOnlyToLoopbackAndOnlyWhenAllowed() async throws {
        let allowed = try Self.client(instance: "http://127.0.0.1:9", allowInsecureLoopback: true)
        #expect(throws: Never.self) { try allowed.check(URL(string: "http://127.0.0.1:9/services/data")!) }
        #expect(throws: VaultError.self) { try allowed.check(URL(string: "http://acme.example/services/data")!) }
        await allowed.shutdown()
        let strict = try Self.client(instance: "https://acme.my.salesforce.com")
        #expect(throws: VaultError.self) { try strict.check(URL(string: "http://127.0.0.1:9/x")!) }
        #expect(throws: VaultError.self) { try strict.check(URL(string: "https://user:pw@acme.my.salesforce.com/x")!) }
        await strict.shutdown()
    }

    @Test func theTokenIsNeverSentOutsideTheInstance() async throws {
        let client = try Self.client(instance: "https://127.0.0.1:9")
        var bytes = Array("never-sent".utf8)
        let tokens = OAuthTokens(
            endpoint: URL(string: "https://127.0.0.1:9/services/oauth2/token")!, clientID: "id",
            secret: VendorSecret(consuming: &bytes), scope: nil, redactor: client.redactor)
        let error = await #expect(throws: VaultError.self) {
            try await client.send(
                VendorRequest(.GET, URL(string: "https://evil.example/api/data/v9.2/accounts")!), tokens: tokens
            ) {
                _, _ in 0
            }
        }
        #expect(error?.message.contains("the access token is not sent there") == true)
        #expect(await tokens.issued == 0, "a token was asked for before the URL was checked")
        await client.shutdown()
    }

    @Test func aSecretFromTheEnvironmentIsReadAndAnUnsetOneNamed() throws {
        let secret = try VendorSecret.read(from: .environment("ACME_SECRET"), environment: ["ACME_SECRET": "s3cret\n"])
        #expect(secret.withUnsafeBytes { Array($0) } == Array("s3cret".utf8))
        let error = try #require(throws: VaultError.self) {
            try VendorSecret.read(from: .environment("NOPE"), environment: [:])
        }
        #expect(error.message.contains("NOPE"))
    }
}
