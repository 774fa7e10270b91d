import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Byte-exact comparison of two trees: same relative paths, same bytes, same permission bits and mtimes.
public enum DirectoryComparison {
    public struct Difference: Error, CustomStringConvertible {
        public let description: String
    }

    public static func differences(between expected: URL, and actual: URL, checkMetadata: Bool = true) throws -> [String] {
        let left = try tree(expected)
        let right = try tree(actual)
        var differences: [String] = []
        for path in Set(left.keys).union(right.keys).sorted() {
            guard let a = left[path] else { differences.append("\(path): unexpected"); continue }
            guard let b = right[path] else { differences.append("\(path): missing"); continue }
            if a.contents != b.contents { differences.append("\(path): contents differ") }
            if checkMetadata && a.mode != b.mode { differences.append("\(path): mode \(String(a.mode, radix: 8)) vs \(String(b.mode, radix: 8))") }
            if checkMetadata && a.isFile && a.mtime != b.mtime { differences.append("\(path): mtime \(a.mtime) vs \(b.mtime)") }
        }
        return differences
    }

    struct Node {
        var isFile: Bool
        var contents: Data?
        var mode: UInt32
        var mtime: [Int]
    }

    static func tree(_ root: URL) throws -> [String: Node] {
        var nodes: [String: Node] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return nodes }
        for case let relative as String in enumerator {
            let full = root.appendingPathComponent(relative).path
            var status = stat()
            guard lstat(full, &status) == 0 else { continue }
            let isFile = status.st_mode & S_IFMT == S_IFREG
            nodes[relative] = Node(
                isFile: isFile, contents: isFile ? FileManager.default.contents(atPath: full) : nil, mode: status.st_mode & 0o7777,
                mtime: [Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)])
        }
        return nodes
    }
}
