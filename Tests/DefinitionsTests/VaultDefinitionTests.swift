import Definitions
import Foundation
import Testing
import VaultTesting

struct VaultDefinitionTests {
    @Test func aBareNameResolvesThroughItsDefinitionRelativeToTheFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("offsite-a.toml", Data("path = \"media/offsite-a/crm\"\ndescription = \"USB disk A\"\n".utf8), under: "Vaults")
        let vaults = directory.path("Vaults")
        let definition = try VaultDefinition.load(named: "offsite-a", in: vaults)
        #expect(definition.path.path == vaults.appendingPathComponent("media/offsite-a/crm").path)
        #expect(definition.description == "USB disk A")
        #expect(try VaultDefinition.resolve("offsite-a", vaultsDirectory: vaults).path == definition.path.path)
        #expect(try VaultDefinition.resolve("/srv/vault", vaultsDirectory: vaults).path == "/srv/vault")
    }

    @Test func aDefinitionWithoutPathIsRefusedWithAClearError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("broken.toml", Data("description = \"no path\"\n".utf8), under: "Vaults")
        let error = try #require(throws: DefinitionError.self) { try VaultDefinition.load(named: "broken", in: directory.path("Vaults")) }
        #expect(error.description.contains("no `path"))
    }

    @Test func theCommittedDemoDefinitionPointsAtTheDemoVault() throws {
        let vaults = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vaults")
        #expect(try VaultDefinition.load(named: "demo", in: vaults).path.path.hasSuffix("Vaults/demo/vault"))
    }
}
