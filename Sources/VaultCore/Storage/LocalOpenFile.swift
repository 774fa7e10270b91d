#if canImport(Glibc)
import Glibc
#endif

/// An open regular file of the vault, read sequentially (verify) or at offsets (restore).
final class LocalOpenFile: SequentialFile, RandomAccessFile {
    private let fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Reads until `count` bytes or the end; `offset` nil reads at the current position.
    private func read(_ count: Int, at offset: UInt64?) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let done = try buffer.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        buffer.removeLast(count - done)
        return buffer
    }

    /// Fills `bytes` until it is full or the file ends; the number of bytes read.
    private func read(into bytes: UnsafeMutableRawBufferPointer, at offset: UInt64?) throws -> Int {
        var done = 0
        while done < bytes.count {
            let got = offset.map { pread(fd, bytes.baseAddress! + done, bytes.count - done, off_t($0) + off_t(done)) }
                ?? Glibc.read(fd, bytes.baseAddress! + done, bytes.count - done)
            if got < 0 {
                if errno == EINTR { continue }
                throw LocalDirectoryStorage.errnoError("read", path)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    func read(upTo count: Int) throws -> [UInt8] { try read(count, at: nil) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try read(into: buffer, at: nil) }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        let bytes = try read(count, at: offset)
        guard bytes.count == count else {
            throw VaultError(.packCorrupted, "\(path) ends before byte \(offset + UInt64(count)); it is truncated.",
                remedy: "Run `crmvault verify` to see what depends on it.")
        }
        return bytes
    }
}
