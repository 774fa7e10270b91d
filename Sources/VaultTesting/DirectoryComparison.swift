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

    /// Every entry under `root` by relative path, walked with plain system calls (trees of tens of thousands of
    /// files are compared in tests).
    static func tree(_ root: URL) throws -> [String: Node] {
        var nodes: [String: Node] = [:]
        func walk(_ directory: String, _ relative: String) {
            guard let stream = opendir(directory) else { return }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name == "." || name == ".." { continue }
                let full = directory + "/" + name
                let path = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(full, &status) == 0 else { continue }
                let isFile = status.st_mode & S_IFMT == S_IFREG
                nodes[path] = Node(
                    isFile: isFile, contents: isFile ? contents(of: full, size: Int(status.st_size)) : nil, mode: status.st_mode & 0o7777,
                    mtime: [Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)])
                if status.st_mode & S_IFMT == S_IFDIR { walk(full, path) }
            }
        }
        walk(root.path, "")
        return nodes
    }

    private static func contents(of path: String, size: Int) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data(count: size)
        let count = data.withUnsafeMutableBytes { read(fd, $0.baseAddress, size) }
        return count == size ? data : nil
    }
}
