import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An independent reading of a zip's end records and central directory (APPNOTE 6.3.10 §4.3), checked against the
/// bytes: the end record must end the file, the central directory must end exactly where the end records begin and
/// hold exactly the entries the end record counts, and every entry must point at a local header before it.
///
/// ZIPFoundation takes the end record at its word, so a directory whose count was zeroed, whose offset is off by
/// one, or that moved when 4 KB were lost mid-download reads as an empty or partial export; this refuses it.
struct ZipCentralDirectory {
    /// The number of entries, and the total of their declared uncompressed sizes.
    var entryCount: Int
    var expandedSize: UInt64

    /// Reads and checks the directory of the zip at `path`; the error is the reason it is refused.
    init(path: String) throws(ZipDirectoryError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ZipDirectoryError("it cannot be opened") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ZipDirectoryError("it cannot be read") }
        let file = ZipBytes(fd: fd, size: UInt64(status.st_size))
        guard file.size >= 22 else { throw ZipDirectoryError("it is too short to be a zip archive") }

        // The end of central directory record: the last signature whose comment ends exactly at the end of the file.
        let tailStart = file.size - min(file.size, 22 + 0xffff)
        let tail = try file.bytes(at: tailStart, count: Int(file.size - tailStart))
        var found: Int?
        var position = tail.count - 22
        while position >= 0 {
            if tail.readUInt32(at: position) == 0x0605_4b50 && UInt64(position) + 22 + UInt64(tail.readUInt16(at: position + 20)) == UInt64(tail.count) {
                found = position
                break
            }
            position -= 1
        }
        guard let record = found else { throw ZipDirectoryError("it has no end of central directory record where one belongs (truncated or damaged)") }
        let recordOffset = tailStart + UInt64(record)
        guard tail.readUInt16(at: record + 4) == 0, tail.readUInt16(at: record + 6) == 0, tail.readUInt16(at: record + 8) == tail.readUInt16(at: record + 10) else {
            throw ZipDirectoryError("it spans several disks")
        }
        var count = UInt64(tail.readUInt16(at: record + 10))
        var directorySize = UInt64(tail.readUInt32(at: record + 12))
        var directoryOffset = UInt64(tail.readUInt32(at: record + 16))
        var directoryEnd = recordOffset
        if count == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            // ZIP64: a locator right before the end record points at the ZIP64 end record, which ends at the locator.
            guard recordOffset >= 20 else { throw ZipDirectoryError("its ZIP64 locator is missing") }
            let locator = try file.bytes(at: recordOffset - 20, count: 20)
            guard locator.readUInt32(at: 0) == 0x0706_4b50 else { throw ZipDirectoryError("its ZIP64 locator is missing") }
            let zip64Offset = locator.readUInt64(at: 8)
            guard zip64Offset + 56 <= recordOffset - 20 else { throw ZipDirectoryError("its ZIP64 end record is out of place") }
            let zip64 = try file.bytes(at: zip64Offset, count: 56)
            guard zip64.readUInt32(at: 0) == 0x0606_4b50, zip64Offset + 12 + zip64.readUInt64(at: 4) == recordOffset - 20,
                zip64.readUInt64(at: 24) == zip64.readUInt64(at: 32)
            else { throw ZipDirectoryError("its ZIP64 end record is damaged") }
            count = zip64.readUInt64(at: 32)
            directorySize = zip64.readUInt64(at: 40)
            directoryOffset = zip64.readUInt64(at: 48)
            directoryEnd = zip64Offset
        }
        guard directoryOffset + directorySize == directoryEnd else {
            throw ZipDirectoryError("its central directory is not where its end record says (bytes lost or the record damaged)")
        }
        guard count > 0 || directoryOffset == 0 else {
            throw ZipDirectoryError("its end record counts no entries, yet the archive holds data (a damaged entry count)")
        }
        guard count <= directorySize / 46 else { throw ZipDirectoryError("its end record counts more entries than its directory can hold") }

        // Every entry of the directory, in order, exactly filling it.
        var reader = ZipDirectoryReader(file: file, offset: directoryOffset, end: directoryEnd)
        var expanded: UInt64 = 0
        var localOffsets = Set<UInt64>()
        for number in 0..<count {
            let entry = try reader.next(number: number)
            guard entry.localHeaderOffset < directoryOffset, localOffsets.insert(entry.localHeaderOffset).inserted,
                try file.bytes(at: entry.localHeaderOffset, count: 4).readUInt32(at: 0) == 0x0403_4b50
            else { throw ZipDirectoryError("entry \(number + 1) of its central directory points at no local header") }
            let (sum, overflow) = expanded.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow else { throw ZipDirectoryError("its entries declare more bytes than can be counted") }
            expanded = sum
        }
        guard reader.offset == directoryEnd else {
            throw ZipDirectoryError("its central directory holds more than the \(count) entries its end record counts")
        }
        entryCount = Int(count)
        expandedSize = expanded
    }
}

struct ZipDirectoryError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One central directory entry, as far as the check needs it.
struct ZipDirectoryEntry {
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
}

/// Walks a central directory header by header, reading the file in pieces of 1 MiB.
struct ZipDirectoryReader {
    let file: ZipBytes
    private(set) var offset: UInt64
    let end: UInt64

    init(file: ZipBytes, offset: UInt64, end: UInt64) {
        self.file = file
        self.offset = offset
        self.end = end
    }

    mutating func next(number: UInt64) throws(ZipDirectoryError) -> ZipDirectoryEntry {
        let damaged = ZipDirectoryError("entry \(number + 1) of its central directory is damaged or missing")
        guard offset + 46 <= end else { throw damaged }
        let header = try file.bytes(at: offset, count: 46)
        guard header.readUInt32(at: 0) == 0x0201_4b50 else { throw damaged }
        let nameLength = Int(header.readUInt16(at: 28)), extraLength = Int(header.readUInt16(at: 30)), commentLength = Int(header.readUInt16(at: 32))
        let length = UInt64(46 + nameLength + extraLength + commentLength)
        guard offset + length <= end else { throw damaged }
        var entry = ZipDirectoryEntry(uncompressedSize: UInt64(header.readUInt32(at: 24)), localHeaderOffset: UInt64(header.readUInt32(at: 42)))
        let compressedIsWide = header.readUInt32(at: 20) == 0xffff_ffff
        if entry.uncompressedSize == 0xffff_ffff || entry.localHeaderOffset == 0xffff_ffff || compressedIsWide {
            // The ZIP64 extra field holds, in this order, only the values whose 32-bit field is all ones.
            let extra = try file.bytes(at: offset + 46 + UInt64(nameLength), count: extraLength)
            var position = 0
            var values: [UInt64]?
            while position + 4 <= extra.count {
                let id = extra.readUInt16(at: position), size = Int(extra.readUInt16(at: position + 2))
                guard position + 4 + size <= extra.count else { throw damaged }
                if id == 0x0001 { values = stride(from: position + 4, to: position + 4 + size - 7, by: 8).map { extra.readUInt64(at: $0) } }
                position += 4 + size
            }
            guard var wide = values?[...] else { throw damaged }
            if entry.uncompressedSize == 0xffff_ffff { guard let value = wide.popFirst() else { throw damaged }; entry.uncompressedSize = value }
            if compressedIsWide { guard wide.popFirst() != nil else { throw damaged } }
            if entry.localHeaderOffset == 0xffff_ffff { guard let value = wide.popFirst() else { throw damaged }; entry.localHeaderOffset = value }
        }
        offset += length
        return entry
    }
}

/// Reads pieces of an open zip with `pread`, keeping the last 1 MiB read (a central directory is read in order).
final class ZipBytes {
    let fd: Int32
    let size: UInt64
    private var cache: [UInt8] = []
    private var cacheOffset: UInt64 = 0

    init(fd: Int32, size: UInt64) {
        self.fd = fd
        self.size = size
    }

    func bytes(at offset: UInt64, count: Int) throws(ZipDirectoryError) -> [UInt8] {
        guard offset <= size, UInt64(count) <= size - offset else { throw ZipDirectoryError("it points past its own end") }
        if offset >= cacheOffset, offset + UInt64(count) <= cacheOffset + UInt64(cache.count) {
            let start = Int(offset - cacheOffset)
            return Array(cache[start..<(start + count)])
        }
        let wanted = max(count, Int(min(UInt64(1 << 20), size - offset)))
        var buffer = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, wanted - done, off_t(offset) + off_t(done)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw ZipDirectoryError("it cannot be read") }
            done += got
        }
        cache = buffer
        cacheOffset = offset
        return Array(buffer[0..<count])
    }
}
