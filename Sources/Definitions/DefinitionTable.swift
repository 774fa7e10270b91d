import Foundation
import TOMLKit

/// One TOML table of a definition file, read key by key: each value is checked for its type, errors name the file
/// and the key, and keys nobody asked for are refused (a misspelt `client_secret_fle` must not be silently ignored).
struct DefinitionTable {
    let table: TOMLTable
    let file: URL
    /// The table's name in errors: `[source]`, or empty for the top level.
    let section: String
    private(set) var known: Set<String> = []

    init(_ table: TOMLTable, file: URL, section: String = "") {
        self.table = table
        self.file = file
        self.section = section
    }

    /// Reads a definition file (at most 1 MiB) and parses it as TOML.
    static func read(_ file: URL) throws -> DefinitionTable {
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            throw DefinitionError("Cannot read the definition \(file.path).")
        }
        defer { try? handle.close() }
        let limit = 1 << 20
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else {
            throw DefinitionError("\(file.path) is larger than 1 MiB; it is not a definition.")
        }
        guard let text = String(data: data, encoding: .utf8), !text.utf8.contains(0) else {
            throw DefinitionError("\(file.path) is not UTF-8 text.")
        }
        do {
            return DefinitionTable(try TOMLTable(string: text), file: file)
        } catch let error as TOMLParseError {
            throw DefinitionError(
                "\(file.path):\(error.source.begin.line):\(error.source.begin.column) is not valid TOML: \(error.description)."
            )
        } catch {
            throw DefinitionError("\(file.path) is not valid TOML: \(error).")
        }
    }

    private func name(_ key: String) -> String { section.isEmpty ? "`\(key)`" : "`\(key)` in \(section)" }

    func failure(_ key: String, _ problem: String) -> DefinitionError {
        DefinitionError("\(file.path): \(name(key)) \(problem).")
    }

    mutating func string(_ key: String) throws -> String? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw failure(key, "must be a string in double quotes") }
        return text
    }

    mutating func requiredString(_ key: String, example: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw failure(key, "is missing; add e.g. `\(key) = \(example)`")
        }
        return text
    }

    mutating func bool(_ key: String) throws -> Bool? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let flag = value.bool else { throw failure(key, "must be true or false") }
        return flag
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let number = value.int, range.contains(number) else {
            throw failure(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    mutating func strings(_ key: String) throws -> [String]? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let array = value.array else {
            throw failure(key, "must be an array of strings, e.g. [\"Account\", \"Contact\"]")
        }
        return try array.map { element in
            guard let text = element.string else { throw failure(key, "must hold only strings") }
            return text
        }
    }

    /// A string, or an array of strings (a command and its arguments).
    mutating func stringOrStrings(_ key: String) throws -> [String]? {
        if table[key]?.array != nil { return try strings(key) }
        return try string(key).map { [$0] }
    }

    mutating func subtable(_ key: String) throws -> DefinitionTable? {
        known.insert(key)
        guard let value = table[key] else { return nil }
        guard let subtable = value.table else {
            throw failure(key, "must be a table, written `[\(key)]` on its own line")
        }
        return DefinitionTable(subtable, file: file, section: "[\(key)]")
    }

    /// Refuses any key not in `allowed`, before the values are read, so a misspelt key is named as such rather than
    /// reported as the missing key it was meant to be.
    func refuseKeys(otherThan allowed: Set<String>, note: String = "") throws {
        if let unknown = table.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw DefinitionError(
                "\(file.path): unknown key \(name(unknown))\(note). Check its spelling against the keys documented in README.md."
            )
        }
    }

    /// Refuses keys that were never read.
    func refuseUnknownKeys() throws {
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw DefinitionError(
                "\(file.path): unknown key \(name(unknown)). Check its spelling against the keys documented in README.md."
            )
        }
    }

    /// A file path; relative paths are relative to the definition file's directory.
    func path(_ value: String) -> URL {
        value.hasPrefix("/")
            ? URL(fileURLWithPath: value).standardizedFileURL
            : file.deletingLastPathComponent().appendingPathComponent(value).standardizedFileURL
    }
}
