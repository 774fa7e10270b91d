import Foundation
import Testing
import VaultTesting

struct DemoTests {
    /// The README's first command: `crmvault demo` runs the whole job and ends with a byte-identical restore.
    @Test func theDemoRunsEndToEnd() throws {
        let directory = try TemporaryDirectory()
        let output = try CommandRunner().run(["demo", "--root", directory.path("demo").path, "--scale", "200", "--months", "2"])
        #expect(output.status == 0, "\(output.all)")
        #expect(output.stdout.contains("byte-identical"))
        #expect(output.stdout.contains("The writer key cannot restore"))
        #expect(output.stdout.contains("Deep verify"))
        #expect(FileManager.default.fileExists(atPath: directory.path("demo", "vault", "config").path))
    }

    @Test func helpListsTheExitCodes() throws {
        let output = try CommandRunner().run(["--help"])
        #expect(output.status == 0)
        for code in ["0  success", "1  integrity", "2  usage", "4  vault busy", "5  other runtime"] {
            #expect(output.stdout.contains(code))
        }
    }

    @Test func usageErrorsExitTwoAndJSONCallersGetJSON() throws {
        let runner = CommandRunner()
        #expect(try runner.run(["snapshots"]).status == 2)
        #expect(try runner.run(["no-such-command"]).status == 2)
        #expect(try runner.run(["verify", "--vault", "/tmp", "--sample", "150"]).status == 2)
        #expect(try runner.run(["verify", "--vault", "/tmp", "--trust", "8C11"]).status == 2)
        let missing = try runner.run(["snapshots", "--vault", "/no-such-medium/crm", "--json"])
        #expect(missing.status == 5)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["exitCode"] as? Int == 5)
    }
}
