import Foundation

/// Modification times from zip extra fields, as Info-ZIP's `unzip` honours them: the extended timestamp (`UT`, 0x5455,
/// seconds since 1970 in UTC) and the NTFS times (0x000a, 100 ns ticks since 1601). The DOS time every member has is
/// local time in two-second steps, so a restored export would otherwise differ from what `unzip` gives by the time
/// zone and up to a second.
///
/// Read from the central directory, one record per member in archive order (the order ZIPFoundation iterates), each
/// with the CRC-32 it declares so the caller can pair them safely. The archive is hostile input: every length is
/// checked against what was read, and a central directory larger than 256 MiB is not read (the DOS times are used).
struct ZipExtraTimes {
    struct Record {
        var crc32: UInt32
        var mtime: FileTime?
    }

    static let maximumDirectorySize = 256 << 20

    /// The records of the archive at `url`, or nil when its end records cannot be read (ZIPFoundation reports that).
    static func read(_ url: URL) -> [Record]? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        let tailLength = min(size, 22 + 0xffff + 20)
        guard let tail = read(handle, at: size - tailLength, count: Int(tailLength)) else { return nil }
        // The end of central directory record: the last signature from which a whole record fits.
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail.readUInt32(at: $0) == 0x0605_4b50 }) else {
            return nil
        }
        var count = UInt64(tail.readUInt16(at: end + 10))
        var directorySize = UInt64(tail.readUInt32(at: end + 12))
        var directoryOffset = UInt64(tail.readUInt32(at: end + 16))
        if count == 0xffff || directorySize == 0xffff_ffff || directoryOffset == 0xffff_ffff {
            // ZIP64: the locator sits right before the classic record and gives the ZIP64 end record's offset.
            guard end >= 20, tail.readUInt32(at: end - 20) == 0x0706_4b50,
                let record = read(handle, at: tail.readUInt64(at: end - 12), count: 56), record.readUInt32(at: 0) == 0x0606_4b50
            else { return nil }
            count = record.readUInt64(at: 32)
            directorySize = record.readUInt64(at: 40)
            directoryOffset = record.readUInt64(at: 48)
        }
        guard directorySize <= UInt64(maximumDirectorySize), directoryOffset <= size,
            let directory = read(handle, at: directoryOffset, count: Int(directorySize))
        else { return nil }
        var records: [Record] = []
        var position = 0
        while records.count < count, position + 46 <= directory.count, directory.readUInt32(at: position) == 0x0201_4b50 {
            let nameLength = Int(directory.readUInt16(at: position + 28))
            let extraLength = Int(directory.readUInt16(at: position + 30))
            let commentLength = Int(directory.readUInt16(at: position + 32))
            let extraStart = position + 46 + nameLength
            guard extraStart + extraLength + commentLength <= directory.count else { return nil }
            let extra = Array(directory[extraStart..<(extraStart + extraLength)])
            records.append(Record(crc32: directory.readUInt32(at: position + 16), mtime: mtime(inExtraField: extra)))
            position = extraStart + extraLength + commentLength
        }
        return records.count == count ? records : nil
    }

    /// The UT time if the extra field has one, else the NTFS one, else nil (the DOS time applies).
    static func mtime(inExtraField extra: [UInt8]) -> FileTime? {
        var ntfs: FileTime?
        var position = 0
        while position + 4 <= extra.count {
            let id = extra.readUInt16(at: position)
            let length = Int(extra.readUInt16(at: position + 2))
            let start = position + 4
            guard start + length <= extra.count else { break }
            // UT: a flags byte; bit 0 says a modification time (signed 32-bit seconds, UTC) follows.
            if id == 0x5455, length >= 5, extra[start] & 1 == 1 {
                return FileTime(seconds: Int(Int32(bitPattern: extra.readUInt32(at: start + 1))), nanoseconds: 0)
            }
            // NTFS: 4 reserved bytes, then tagged attributes; tag 1 holds mtime, atime and ctime as u64 ticks.
            if id == 0x000a, length >= 32, extra.readUInt16(at: start + 4) == 1, extra.readUInt16(at: start + 6) >= 24 {
                let ticks = extra.readUInt64(at: start + 8)
                let seconds = Int64(ticks / 10_000_000) - 11_644_473_600
                ntfs = FileTime(seconds: Int(seconds), nanoseconds: Int(ticks % 10_000_000) * 100)
            }
            position = start + length
        }
        return ntfs
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) -> [UInt8]? {
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count), data.count == count else {
            return nil
        }
        return Array(data)
    }

}
