import Foundation
import TOMLKit

/// Definitions: the TOML files an IT admin keeps beside the binary.
///
/// - **Vault definition** (`Vaults/NAME.toml`): names a vault so commands take `--vault NAME` instead of a path.
///   Keys: `path` (the vault directory; relative paths are relative to the TOML file's directory) and an
///   optional `description`.
public struct VaultDefinition: Sendable, Equatable {
    public var name: String
    public var path: URL
    public var description: String?

    /// Reads `Vaults/NAME.toml` under `directory`.
    public static func load(named name: String, in directory: URL) throws -> VaultDefinition {
        let file = directory.appendingPathComponent("\(name).toml")
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw DefinitionError("Cannot read the vault definition \(file.path).")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch {
            throw DefinitionError("\(file.path) is not valid TOML: \(error)")
        }
        guard let path = table["path"]?.string, !path.isEmpty else {
            throw DefinitionError("\(file.path) has no `path = \"...\"` naming the vault directory.")
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
        return VaultDefinition(name: name, path: url.standardizedFileURL, description: table["description"]?.string)
    }

    /// Resolves a `--vault` value: an existing path, or one with a `/`, is used as is; a bare name is looked up as
    /// `NAME.toml` in `vaultsDirectory`. A bare name that is neither an existing directory here nor defined is an error
    /// that says where it looked (`searched` describes where `vaultsDirectory` came from), rather than a vault quietly
    /// expected, or created, in the current directory.
    public static func resolve(_ value: String, vaultsDirectory: URL, searched: String = "Vaults/ in the current directory")
        throws -> URL
    {
        let asPath = URL(fileURLWithPath: value)
        let isBareName = !value.contains("/") && value != "." && value != ".."
        guard isBareName, !FileManager.default.fileExists(atPath: asPath.path) else { return asPath }
        let definitionFile = vaultsDirectory.appendingPathComponent("\(value).toml")
        guard FileManager.default.fileExists(atPath: definitionFile.path) else {
            throw DefinitionError(
                "No vault is named \"\(value)\": there is no \(definitionFile.path) (vault names are looked up in \(searched)), "
                    + "and no directory \"\(value)\" in the current directory. Give the vault's path (--vault "
                    + "/media/offsite-a/crm), define the name in \(definitionFile.path) with path = \"...\", or set "
                    + "CRMVAULT_VAULTS to the directory that holds your vault definitions; to create a vault in the current "
                    + "directory, give --vault ./\(value).")
        }
        return try load(named: value, in: vaultsDirectory).path
    }
}

/// A vault definition that cannot be used, with what is wrong in it.
public struct DefinitionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
