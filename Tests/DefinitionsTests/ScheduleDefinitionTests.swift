import Definitions
import Foundation
import Testing
import VaultTesting

struct ScheduleDefinitionTests {
    static let salesforce = """
        every = "0 2 1 * *"
        vault = "/media/offsite-a/crm"
        writer_key = "/etc/crmvault/writer.key"
        [source]
        vendor = "salesforce"
        instance_url = "https://acme.my.salesforce.com"
        client_id = "3MVG9..."
        client_secret_file = "/etc/crmvault/acme.secret"
        objects = ["Account", "Contact", "Opportunity", "Case"]
        api_version = "61.0"
        ca_file = "/etc/crmvault/private-ca.pem"

        """

    private func write(_ text: String, name: String = "salesforce-prod", in directory: TemporaryDirectory) throws -> URL
    {
        try directory.write("\(name).toml", Data(text.utf8), under: "Schedules")
    }

    private func refusal(_ text: String) throws -> String {
        let directory = try TemporaryDirectory()
        let file = try write(text, in: directory)
        return try #require(throws: DefinitionError.self) { try ScheduleDefinition.load(file: file) }.description
    }

    @Test func theIssuesExampleLoadsWithEveryKey() throws {
        let directory = try TemporaryDirectory()
        _ = try write(Self.salesforce, in: directory)
        let schedule = try ScheduleDefinition.load(named: "salesforce-prod", in: directory.path("Schedules"))
        #expect(schedule.name == "salesforce-prod")
        #expect(schedule.every == "0 2 1 * *")
        #expect(schedule.vault.path == "/media/offsite-a/crm")
        #expect(schedule.writerKey?.path == "/etc/crmvault/writer.key")
        #expect(schedule.source.vendor == .salesforce)
        #expect(schedule.source.instanceURL?.absoluteString == "https://acme.my.salesforce.com")
        #expect(schedule.source.clientID == "3MVG9...")
        #expect(schedule.source.clientSecret == .file(URL(fileURLWithPath: "/etc/crmvault/acme.secret")))
        #expect(schedule.source.objects == ["Account", "Contact", "Opportunity", "Case"])
        #expect(schedule.source.apiVersion == "61.0")
        #expect(schedule.source.caFile?.path == "/etc/crmvault/private-ca.pem")
        #expect(schedule.source.tokenEndpoint?.absoluteString == "https://acme.my.salesforce.com/services/oauth2/token")
        #expect(try ScheduleDefinition.names(in: directory.path("Schedules")) == ["salesforce-prod"])
    }

    @Test func timezoneIsAnIANANameAndDefaultsToUTC() throws {
        let directory = try TemporaryDirectory()
        let plain = try ScheduleDefinition.load(file: try write(Self.salesforce, in: directory))
        #expect(plain.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_784_116_800)) == 0)
        let zoned = Self.salesforce.replacingOccurrences(
            of: "every = \"0 2 1 * *\"\n", with: "every = \"0 2 1 * *\"\ntimezone = \"Europe/Berlin\"\n")
        let berlin = try ScheduleDefinition.load(file: try write(zoned, name: "berlin", in: directory))
        #expect(berlin.timeZone.identifier == "Europe/Berlin")

        for wrong in ["Europe/Berln", "CET+1", "", "../../etc/passwd"] {
            let text = zoned.replacingOccurrences(of: "Europe/Berlin", with: wrong)
            let message = try refusal(text)
            #expect(message.contains("`timezone` is \"\(wrong)\", which is not an IANA time zone name"), "\(message)")
        }
    }

    @Test func aVaultNameResolvesThroughVaultsBesideTheSchedules() throws {
        let directory = try TemporaryDirectory()
        try directory.write("offsite-a.toml", Data("path = \"/media/offsite-a/crm\"\n".utf8), under: "Vaults")
        let text = Self.salesforce.replacingOccurrences(of: "\"/media/offsite-a/crm\"", with: "\"offsite-a\"")
            .replacingOccurrences(of: "\"/etc/crmvault/writer.key\"", with: "\"keys/writer.key\"")
        let file = try write(text, in: directory)
        let schedule = try ScheduleDefinition.load(file: file)
        #expect(schedule.vault.path == "/media/offsite-a/crm")
        #expect(schedule.writerKey?.path == directory.path("Schedules", "keys", "writer.key").path)
    }

    @Test func anUnknownKeyIsRefusedNamingTheKeyAndTheFile() throws {
        let message = try refusal(
            Self.salesforce.replacingOccurrences(of: "client_secret_file", with: "client_secret_fle"))
        #expect(message.contains("client_secret_fle"))
        #expect(message.contains("salesforce-prod.toml"))
        let topLevel = try refusal("retention = 12\n" + Self.salesforce)
        #expect(topLevel.contains("`retention`"))
        let otherVendors = try refusal(Self.salesforce + "quiet_seconds = 5\n")
        #expect(otherVendors.contains("`quiet_seconds` in [source] for vendor = \"salesforce\""))
    }

    @Test func aMissingOrDoubledSecretSourceIsRefused() throws {
        let none = try refusal(
            Self.salesforce.replacingOccurrences(of: "client_secret_file = \"/etc/crmvault/acme.secret\"\n", with: ""))
        #expect(none.contains("exactly one of"))
        let two = try refusal(Self.salesforce + "client_secret_env = \"ACME\"\n")
        #expect(two.contains("more than one"))
    }

    @Test func aSecretCommandRunsWithoutAShellSplitOnSpaces() throws {
        let directory = try TemporaryDirectory()
        let text = Self.salesforce.replacingOccurrences(
            of: "client_secret_file = \"/etc/crmvault/acme.secret\"",
            with: "client_secret_command = \"pass show crm/acme\"")
        let schedule = try ScheduleDefinition.load(file: try write(text, in: directory))
        #expect(schedule.source.clientSecret == .command(["pass", "show", "crm/acme"]))
    }

    @Test(arguments: [
        ("http://acme.my.salesforce.com", "https:// only"),
        ("http://127.0.0.1:8443", "allow_insecure_loopback = true"),
        ("ftp://acme.example", "scheme ftp"),
        ("https://user:pw@acme.my.salesforce.com", "user name, password"),
    ])
    func plainHTTPIsRefusedUnlessLoopbackAndFlagged(url: String, expected: String) throws {
        let message = try refusal(Self.salesforce.replacingOccurrences(of: "https://acme.my.salesforce.com", with: url))
        #expect(message.contains(expected))
        #expect(message.contains("instance_url"))
    }

    @Test func plainHTTPToLoopbackIsAllowedWithTheFlag() throws {
        let directory = try TemporaryDirectory()
        let text =
            Self.salesforce.replacingOccurrences(of: "https://acme.my.salesforce.com", with: "http://127.0.0.1:8080")
            + "allow_insecure_loopback = true\n"
        let schedule = try ScheduleDefinition.load(file: try write(text, in: directory))
        #expect(schedule.source.instanceURL?.absoluteString == "http://127.0.0.1:8080")
    }

    @Test func objectNamesThatCouldEscapeTheExportAreRefused() throws {
        let message = try refusal(Self.salesforce.replacingOccurrences(of: "\"Case\"", with: "\"../etc/passwd\""))
        #expect(message.contains("not an API name"))
    }

    @Test func dataverseNeedsEntitySetsAndATenant() throws {
        let base = """
            every = "30 2 1 * *"
            vault = "/srv/vault"
            [source]
            vendor = "dataverse"
            instance_url = "https://acme.crm4.dynamics.com"
            client_id = "11111111-1111-1111-1111-111111111111"
            client_secret_env = "DV_SECRET"

            """
        #expect(try refusal(base + "tenant_id = \"t\"\n").contains("must list the entity sets"))
        #expect(try refusal(base + "objects = [\"accounts\"]\n").contains("tenant_id"))
        let directory = try TemporaryDirectory()
        let schedule = try ScheduleDefinition.load(
            file: try write(base + "objects = [\"accounts\"]\ntenant_id = \"contoso\"\n", in: directory))
        #expect(
            schedule.source.tokenEndpoint?.absoluteString
                == "https://login.microsoftonline.com/contoso/oauth2/v2.0/token")
    }

    @Test func invalidTOMLNamesTheLine() throws {
        let message = try refusal("every = \"0 2 1 * *\"\nvault = \n")
        #expect(message.contains("salesforce-prod.toml:2:"))
    }

    @Test func everyCommittedSampleLoads() throws {
        let schedules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schedules")
        let samples = try FileManager.default.contentsOfDirectory(atPath: schedules.path).filter {
            $0.hasSuffix(".toml.sample")
        }
        #expect(samples.count >= 4)
        var vendors = Set<SourceDefinition.Vendor>()
        for sample in samples {
            let directory = try TemporaryDirectory()
            let text = try String(contentsOf: schedules.appendingPathComponent(sample), encoding: .utf8)
            let name = String(sample.dropLast(".toml.sample".count))
            vendors.insert(try ScheduleDefinition.load(file: try write(text, name: name, in: directory)).source.vendor)
        }
        #expect(vendors == Set(SourceDefinition.Vendor.allCases))
    }
}
