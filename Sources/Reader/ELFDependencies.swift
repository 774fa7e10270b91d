import Foundation

/// The shared libraries an ELF executable asks the dynamic loader for (`DT_NEEDED`) and where it tells the loader to
/// look (`DT_RUNPATH`, `DT_RPATH`): enough to tell a binary that runs on a bare Debian or Ubuntu from one that needs the
/// Swift toolchain or libsodium installed. Read from the file's headers only, with every offset checked, as `readelf -d`
/// does; no code of the binary runs.
public struct ELFDependencies: Sendable, Equatable {
    public var needed: [String]
    public var searchPaths: [String]

    /// The libraries every Debian and Ubuntu installation has (C library, C++ runtime, zlib): a reader may need these.
    public static let baseSystemLibraries: Set<String> = [
        "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1",
    ]

    /// What the binary needs beyond ``baseSystemLibraries``, and any search path baked into it.
    public var nonStandalone: [String] {
        needed.filter { !Self.baseSystemLibraries.contains($0) } + searchPaths.map { "search path \($0)" }
    }

    public var isStandalone: Bool { nonStandalone.isEmpty }

    /// Reads the dynamic section of the 64-bit little-endian ELF file at `path`.
    public static func read(_ path: String) throws -> ELFDependencies {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ReaderError("Cannot read \(path).") }
        defer { try? handle.close() }
        func bytes(_ offset: UInt64, _ count: Int) throws -> [UInt8] {
            guard count >= 0, count <= 64 << 20, (try? handle.seek(toOffset: offset)) != nil,
                let data = try? handle.read(upToCount: count), data.count == count
            else { throw ReaderError("\(path) is not a complete ELF executable (a header points past its end).") }
            return Array(data)
        }
        let header = try bytes(0, 64)
        guard header.starts(with: [0x7f, 0x45, 0x4c, 0x46]), header[4] == 2, header[5] == 1 else {
            throw ReaderError("\(path) is not a 64-bit little-endian ELF executable.")
        }
        let programHeaders = value(header, 32, as: UInt64.self)
        let entrySize = Int(value(header, 54, as: UInt16.self))
        let count = Int(value(header, 56, as: UInt16.self))
        guard entrySize >= 56 else { throw ReaderError("\(path) has malformed program headers.") }
        let table = try bytes(programHeaders, entrySize * count)
        var loads: [(offset: UInt64, address: UInt64, size: UInt64)] = []
        var dynamic: (offset: UInt64, size: UInt64)?
        for index in 0..<count {
            let base = index * entrySize
            let type = value(table, base, as: UInt32.self)
            if type == 1 {
                loads.append((
                    value(table, base + 8, as: UInt64.self), value(table, base + 16, as: UInt64.self),
                    value(table, base + 32, as: UInt64.self)))
            }
            if type == 2 { dynamic = (value(table, base + 8, as: UInt64.self), value(table, base + 32, as: UInt64.self)) }
        }
        // A fully static executable has no dynamic section: it needs nothing.
        guard let dynamic else { return ELFDependencies(needed: [], searchPaths: []) }
        let entries = try bytes(dynamic.offset, Int(min(dynamic.size, 1 << 20)))
        var neededOffsets: [UInt64] = []
        var pathOffsets: [UInt64] = []
        var stringTable: UInt64?
        var stringTableSize: UInt64 = 0
        for base in stride(from: 0, to: entries.count - 15, by: 16) {
            let tag = value(entries, base, as: UInt64.self)
            let number = value(entries, base + 8, as: UInt64.self)
            switch tag {
            case 0: break
            case 1: neededOffsets.append(number)
            case 5: stringTable = number
            case 10: stringTableSize = number
            case 15, 29: pathOffsets.append(number)
            default: continue
            }
            if tag == 0 { break }
        }
        guard let address = stringTable, let load = loads.first(where: { address >= $0.address && address < $0.address + $0.size }) else {
            throw ReaderError("\(path) has a dynamic section without a string table.")
        }
        let strings = try bytes(address - load.address + load.offset, Int(min(stringTableSize, 16 << 20)))
        func string(at offset: UInt64) -> String {
            guard offset < UInt64(strings.count) else { return "?" }
            let start = Int(offset)
            let end = strings[start...].firstIndex(of: 0) ?? strings.count
            return String(decoding: strings[start..<end], as: UTF8.self)
        }
        return ELFDependencies(
            needed: neededOffsets.map(string(at:)),
            searchPaths: pathOffsets.flatMap { string(at: $0).split(separator: ":").map(String.init) })
    }

    /// A little-endian integer at `offset` of `bytes` (the caller has checked the length).
    private static func value<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, as type: T.Type) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
