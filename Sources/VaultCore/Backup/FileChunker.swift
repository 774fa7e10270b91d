import Foundation

/// Cuts a file's bytes into content-defined chunks and computes their ids, the ids of one window on every core while
/// the next window is read and cut.
///
/// Bytes arrive in pieces of any size and are copied into one of two windows. A window is cut where the chunker says,
/// a cut being made only when at least the chunker's maximum lies ahead or the file has ended, so the cuts never
/// depend on how the input was read (docs/FORMAT.md §5). Its chunks are then hashed (keyed BLAKE2b, the chunk id) on
/// `threads` threads in the background while the caller fills and cuts the other window; the bytes after the last
/// cut move to the front of that other window. Chunks are handed back in file order, so what a backup stores does
/// not depend on the number of threads. Memory is the two windows, whatever the file's size.
final class FileChunker {
    private let chunker: ContentDefinedChunker
    private let keys: VaultKeys
    private let threads: Int
    private var current: ChunkWindow
    private var other: ChunkWindow
    /// The window whose ids are being computed in the background, if any.
    private var hashing: (window: ChunkWindow, done: DispatchGroup)?

    init(chunker: ContentDefinedChunker, keys: VaultKeys, threads: Int, windowSize: Int = 4 << 20) {
        self.chunker = chunker
        self.keys = keys
        self.threads = max(1, threads)
        let capacity = max(windowSize, 4 * chunker.parameters.maximum)
        current = ChunkWindow(capacity: capacity)
        other = ChunkWindow(capacity: capacity)
    }

    deinit { hashing?.done.wait() }

    /// Takes the next bytes of the file; `chunk` receives every chunk completed so far, in order, with its id.
    func add(_ bytes: UnsafeRawBufferPointer, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            offset += current.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if current.isFull { try cutAndHand(isFinal: false, chunk) }
        }
    }

    /// Cuts the rest of the file and hands over its last chunks; the chunker is then ready for the next file.
    func finish(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        try cutAndHand(isFinal: true, chunk)
        try handOverHashed(chunk)
    }

    /// Drops a file part way (its backup failed): waits for the background hashing, forgets every byte.
    func reset() {
        hashing?.done.wait()
        hashing = nil
        current.clear()
        other.clear()
    }

    /// Cuts the current window, hands over the chunks of the window hashed before it, and starts hashing this one.
    private func cutAndHand(isFinal: Bool, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        current.cut(with: chunker, isFinal: isFinal)
        try handOverHashed(chunk)
        other.takeRest(of: current)
        let window = current
        if threads == 1 || isFinal {
            // Nothing left to read, so nothing to overlap with: the calling thread hashes too, and a small file (most
            // exports of many files) never waits for another thread to be scheduled.
            window.hashChunks(keys: keys, threads: threads)
            hashing = (window, DispatchGroup())
        } else {
            let done = DispatchGroup()
            let threads = threads
            let keys = keys
            DispatchQueue.global().async(group: done) { window.hashChunks(keys: keys, threads: threads) }
            hashing = (window, done)
        }
        swap(&current, &other)
    }

    private func handOverHashed(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        guard let hashed = hashing else { return }
        hashed.done.wait()
        hashing = nil
        defer { hashed.window.clear() }
        try hashed.window.forEachChunk(chunk)
    }
}

/// One window of a file's bytes, its cuts and, once hashed, its chunk ids. Owned by one thread at a time: the
/// `FileChunker`'s, or the background hashing's until its group is done.
private final class ChunkWindow: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    /// The end of each chunk cut, as an offset in the buffer; chunk `n` starts where chunk `n - 1` ends.
    private var ends: [Int] = []
    /// The ids of the chunks cut, once hashed (Digest is plain data: slots are overwritten, never deinitialized).
    private var ids = UnsafeMutableBufferPointer<Digest>(start: nil, count: 0)

    init(capacity: Int) { buffer = .allocate(byteCount: capacity, alignment: 64) }

    deinit {
        buffer.deallocate()
        ids.deallocate()
    }

    /// Below this many bytes a window is hashed on the calling thread alone.
    static let parallelMinimum = 256 << 10

    var isFull: Bool { filled == buffer.count }
    private var cutEnd: Int { ends.last ?? 0 }

    /// Copies as much of `bytes` as fits; returns how much.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = min(bytes.count, buffer.count - filled)
        if count > 0 { (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress!, byteCount: count) }
        filled += count
        return count
    }

    /// Cuts chunks while at least the chunker's maximum lies ahead (or, at the end of the file, until nothing does).
    func cut(with chunker: ContentDefinedChunker, isFinal: Bool) {
        let maximum = chunker.parameters.maximum
        var position = cutEnd
        let all = UnsafeRawBufferPointer(buffer)
        while filled - position >= maximum || (isFinal && position < filled) {
            position += chunker.nextChunkLength(in: UnsafeRawBufferPointer(rebasing: all[position..<filled]))
            ends.append(position)
        }
    }

    /// Starts this (empty) window with the bytes of `previous` after its last cut.
    func takeRest(of previous: ChunkWindow) {
        let start = previous.cutEnd
        filled = previous.filled - start
        if filled > 0 { buffer.baseAddress!.copyMemory(from: previous.buffer.baseAddress! + start, byteCount: filled) }
    }

    /// Computes the id of every chunk cut, in `threads` × 4 slices at once (so a slow slice does not hold the rest).
    func hashChunks(keys: VaultKeys, threads: Int) {
        let count = ends.count
        if ids.count < count {
            ids.deallocate()
            ids = .allocate(capacity: max(count, ids.count * 2))
        }
        let slices = threads == 1 || cutEnd < Self.parallelMinimum ? 1 : min(count, threads * 4)
        guard slices > 1 else { return hashChunks(0..<count, keys: keys) }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            self.hashChunks((slice * count / slices)..<((slice + 1) * count / slices), keys: keys)
        }
    }

    private func hashChunks(_ range: Range<Int>, keys: VaultKeys) {
        for index in range { (ids.baseAddress! + index).initialize(to: keys.chunkID(of: chunk(index))) }
    }

    private func chunk(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[(index == 0 ? 0 : ends[index - 1])..<ends[index]])
    }

    func forEachChunk(_ body: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        for index in ends.indices { try body(chunk(index), ids[index]) }
    }

    func clear() {
        filled = 0
        ends.removeAll(keepingCapacity: true)
    }
}
