internal import CZstd

/// zstd compression with a reusable context; one instance per thread.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int) {
        context = ZSTD_createCCtx()
        self.level = Int32(level)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// One zstd frame with the content size recorded (docs/FORMAT.md §6).
    func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { target in
            ZSTD_compressCCtx(context, target.baseAddress, target.count, input.baseAddress, input.count, level)
        }
        guard ZSTD_isError(written) == 0 else {
            throw VaultError(.compressionFailed, "zstd could not compress a block: \(String(cString: ZSTD_getErrorName(written))).")
        }
        output.removeLast(bound - written)
        return output
    }
}

/// zstd decompression that refuses frames whose size differs from what the authenticated header says.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() { context = ZSTD_createDCtx() }
    deinit { ZSTD_freeDCtx(context) }

    /// The magic number that starts a zstd data frame (RFC 8878 §3.1.1), as the first four bytes.
    private static let frameMagic: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd]

    /// Decompresses one frame of exactly `expectedSize` bytes; nil if the frame is malformed or of another size, or
    /// if the input is anything but exactly one data frame with its content size (docs/FORMAT.md §6): no skippable
    /// frame, no second frame, no byte after it. The block's buffer comes from `pool` when it fits there.
    func decompress(_ input: [UInt8], expectedSize: Int, pool: PlainBlockPool? = nil) -> PlainBlock? {
        guard input.starts(with: Self.frameMagic) else { return nil }
        let frameSize = input.withUnsafeBytes { ZSTD_findFrameCompressedSize($0.baseAddress, $0.count) }
        guard ZSTD_isError(frameSize) == 0, frameSize == input.count else { return nil }
        let declared = input.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard declared == UInt64(expectedSize) else { return nil }
        // Not zeroed first (a restore would clear every block once for nothing): the block is handed out only when
        // zstd wrote all `expectedSize` of its bytes.
        let output = PlainBlock(uninitializedCount: expectedSize, pool: pool)
        let written = input.withUnsafeBytes { source in
            ZSTD_decompressDCtx(context, output.storage.baseAddress, expectedSize, source.baseAddress, source.count)
        }
        guard ZSTD_isError(written) == 0, written == expectedSize else { return nil }
        return output
    }
}

/// The decompressed plaintext of one block, in an allocation of its own that never moves or changes once written:
/// restore hands ranges of it straight to `writev` and to the chunk-id check on another thread, without copying, for
/// as long as either holds the block.
final class PlainBlock: @unchecked Sendable {
    fileprivate let storage: UnsafeMutableRawBufferPointer
    /// Where the buffer goes back when the block is released (nil: it is freed).
    private let pool: PlainBlockPool?

    fileprivate init(uninitializedCount count: Int, pool: PlainBlockPool?) {
        if let pool, count <= pool.capacity {
            storage = pool.take()
            self.pool = pool
        } else {
            storage = .allocate(byteCount: max(count, 1), alignment: 16)
            self.pool = nil
        }
        self.count = count
    }

    deinit {
        if let pool { pool.give(storage) } else { storage.deallocate() }
    }

    let count: Int

    /// The block's bytes; valid while the block is alive.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<count]) }
}
