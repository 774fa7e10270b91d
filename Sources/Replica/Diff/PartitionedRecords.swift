import ExportLayout
import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// One CSV file's records reduced to their key and one hash per field, spread over partition files by key hash, so
/// that two exports of any size are compared one partition at a time in bounded memory.
///
/// A partition file is a sequence of records: `u16` key length, the key bytes, then `u64` little-endian cell hashes
/// (XXH64 of the value, 0 for an empty value or Salesforce's empty-id placeholder), one per header column.
final class PartitionedRecords {
    let header: [String]
    private(set) var records = 0
    private(set) var malformed = 0
    private let files: [URL]

    /// The number of partitions for files of `bytes`: one per 16 MiB, at most 256 (a partition of A is held in memory
    /// while B's is compared with it).
    static func partitionCount(forBytes bytes: Int64) -> Int {
        Int(min(256, max(1, (bytes + (16 << 20) - 1) / (16 << 20))))
    }

    /// Reads `csv` once and writes its partitions as `<prefix>-<n>` under `directory`. The key is the `keyColumn`
    /// when the file has it, else the whole row (its cells' hashes).
    init(csv: URL, displayName: String, keyColumn: String?, partitions: Int, directory: URL, prefix: String) throws {
        let reader = try CSVReader(path: csv.path, displayName: displayName)
        let header = reader.header
        self.header = header
        let keyIndex = keyColumn.flatMap { header.firstIndex(of: $0) }
        files = (0..<partitions).map { directory.appendingPathComponent("\(prefix)-\($0)") }
        var writers = try files.map { try PartitionWriter(url: $0) }
        var hashes = [UInt64](repeating: 0, count: header.count)
        while true {
            do {
                guard try reader.next() else { break }
            } catch let error as CSVError {
                malformed += 1
                if error.isRecoverable { continue }
                break
            }
            reader.withFields { fields in
                for index in 0..<fields.count {
                    let value = fields[index]
                    hashes[index] = ObjectScan.isNull(value) ? 0 : XXH64.hash(value, seed: 0)
                }
                hashes.withUnsafeBytes { cells in
                    if let keyIndex {
                        let key = fields[keyIndex]
                        let partition = Int(XXH64.hash(key, seed: 1) % UInt64(partitions))
                        writers[partition].append(key: UnsafeRawBufferPointer(key), cells: cells)
                    } else {
                        let rowHash = XXH64.hash(cells.bindMemory(to: UInt8.self), seed: 0)
                        let partition = Int(rowHash % UInt64(partitions))
                        withUnsafeBytes(of: rowHash) { key in writers[partition].append(key: key, cells: cells) }
                    }
                }
            }
            records += 1
        }
        for index in writers.indices { try writers[index].close() }
    }

    deinit {
        for file in files { unlink(file.path) }
    }

    /// Calls `body` with each record of partition `index`: its key and its cell hashes.
    func forEachRecord(
        inPartition index: Int, _ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<UInt64>) throws -> Void
    ) throws {
        let data = try Data(contentsOf: files[index])
        let cellBytes = header.count * 8
        try data.withUnsafeBytes { bytes in
            var offset = 0
            let cells = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: header.count)
            defer { cells.deallocate() }
            while offset + 2 <= bytes.count {
                let keyLength = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                let key = UnsafeRawBufferPointer(rebasing: bytes[(offset + 2)..<(offset + 2 + keyLength)])
                offset += 2 + keyLength
                for column in 0..<header.count {
                    cells[column] = UInt64(
                        littleEndian: bytes.loadUnaligned(fromByteOffset: offset + column * 8, as: UInt64.self))
                }
                offset += cellBytes
                try body(key, UnsafeBufferPointer(cells))
            }
        }
    }
}

/// A buffered writer of one partition file (64 KiB buffer).
private struct PartitionWriter {
    private let descriptor: Int32
    private let url: URL
    private var buffer: [UInt8] = []

    init(url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw VaultError(.ioFailed, "Cannot create \(url.path): \(String(cString: strerror(errno))).")
        }
        buffer.reserveCapacity(64 << 10)
    }

    mutating func append(key: UnsafeRawBufferPointer, cells: UnsafeRawBufferPointer) {
        let length = UInt16(min(key.count, Int(UInt16.max)))
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(contentsOf: key.prefix(Int(length)))
        buffer.append(contentsOf: cells)
        if buffer.count >= 64 << 10 { flush() }
    }

    private var failure: Int32 = 0

    mutating func flush() {
        buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count && failure == 0 {
                let written = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if written < 0 {
                    if errno != EINTR { failure = errno }
                } else {
                    done += written
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        flush()
        Glibc.close(descriptor)
        if failure != 0 {
            throw VaultError(
                failure == ENOSPC ? .diskFull : .ioFailed,
                "Cannot write \(url.path): \(String(cString: strerror(failure))).")
        }
    }
}
