import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// One regular file of a snapshot to restore: its place in the manifest's order (failures are reported in that
/// order), its entry, and the full path it is written to (its parent already made a real directory).
struct FileRestoreJob {
    var order: Int
    var file: SnapshotManifest.Entry
    var path: String
}

/// Why one file was not restored: the reason and whose fault it is (as `RestoreFailure` says), and whether the target
/// was full, which stops the restore from taking more files.
struct FileRestoreFailure: Error {
    var reason: String
    var cause: RestoreFailure.Cause
    var isDiskFull = false
}

/// A restore's progress, shared by the threads that write its files: every change is made, and reported, under one
/// lock, so the handler sees one update at a time and the counts only grow.
final class RestoreProgress: @unchecked Sendable {
    private var update: OperationProgress
    private let handler: ProgressHandler?
    private let lock = NSLock()

    init(_ update: OperationProgress, handler: ProgressHandler?) {
        self.update = update
        self.handler = handler
    }

    /// Another batch of `bytes` was written.
    func wrote(_ bytes: Int) { report { $0.bytesDone += Int64(bytes) } }

    /// Another file was restored whole.
    func restoredFile() { report { $0.itemsDone += 1 } }

    /// The one place the handler is called.
    private func report(_ change: (inout OperationProgress) -> Void) {
        lock.withLock {
            change(&update)
            handler?(update)
        }
    }
}

/// The files of a restore and what became of each, shared by the threads that restore them.
private final class FileRestoreWork: @unchecked Sendable {
    let jobs: [FileRestoreJob]
    private let order: [Int]
    private var next = 0
    /// Set once a file found the target full: no thread takes another file.
    private var isStopped = false
    private var outcomes: [Result<Int, FileRestoreFailure>?]
    private let lock = NSLock()

    init(_ jobs: [FileRestoreJob]) {
        self.jobs = jobs
        // Largest first: the last file any thread starts is a small one, so the cores finish together.
        order = jobs.indices.sorted { (jobs[$0].file.size ?? 0, $1) > (jobs[$1].file.size ?? 0, $0) }
        outcomes = Array(repeating: nil, count: jobs.count)
    }

    /// The next file to restore, or nil when every file has been taken or the target is full.
    func take() -> Int? {
        lock.withLock {
            guard !isStopped, next < order.count else { return nil }
            next += 1
            return order[next - 1]
        }
    }

    func record(_ index: Int, _ outcome: Result<Int, FileRestoreFailure>) {
        lock.withLock {
            outcomes[index] = outcome
            if case .failure(let failure) = outcome, failure.isDiskFull { isStopped = true }
        }
    }

    /// Each job with its outcome, in the order of `jobs`; nil for a file not attempted (the target filled up first).
    func results() -> [(job: FileRestoreJob, result: Result<Int, FileRestoreFailure>?)] {
        lock.withLock { jobs.indices.map { (jobs[$0], outcomes[$0]) } }
    }
}

extension Vault {
    /// At most this many files are restored at once, each by its own thread (with its own block cache and its chunk-id
    /// checks on another thread), never more than the machine has cores.
    static let filesRestoredAtOnce = 4

    /// Free block buffers kept per restoring thread: a thread evicts about one block for each it decompresses.
    static let freeBlockBuffersPerThread = 4

    /// Restores `jobs` on every core, a whole file per thread, largest first; returns each file's bytes or failure,
    /// in the order of `jobs`, and nil for the files not attempted because a file found the target full (the threads
    /// then finish the files they hold and take no more). Each thread reads through a `ChunkReader` of its own (a
    /// block is decrypted by the thread whose file needs it; blocks rarely serve two files, since a backup fills them
    /// file by file). The workers are threads of their own, not Dispatch's pool: they wait on the chunk-id checks,
    /// which run on that pool, and must never hold its threads while they wait. The files are finished (their last
    /// checks waited for, fsynced, renamed) by a `FileFinisher`, a serial queue of Dispatch's overcommitting kind,
    /// which gets a thread of its own whenever it has work, so its waits starve no other queue.
    func restoreFiles(
        _ jobs: [FileRestoreJob], locations: [Digest: ChunkLocation], resolver: ChunkResolver, keys: VaultKeys,
        syncing: Bool, progress: RestoreProgress
    ) -> [(job: FileRestoreJob, result: Result<Int, FileRestoreFailure>?)] {
        let work = FileRestoreWork(jobs)
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, Self.filesRestoredAtOnce, jobs.count))
        let storage = storage
        // Blocks released by any thread (evicted from a cache, or checked and written) leave their buffers here for
        // the next block any thread decompresses.
        let pool = PlainBlockPool(for: config, limit: Self.freeBlockBuffersPerThread * threads)
        // Files synced one by one are finished (checked to the end, fsynced, renamed) on a thread of their own while
        // their writer starts the next file; many small files are finished by their writer (a handoff per file would
        // cost more than it overlaps).
        let finisher = syncing ? FileFinisher(pending: threads) : nil
        let worker: @Sendable () -> Void = { [self] in
            // The threads share one reader's memory bound: a crafted vault of 64 MiB blocks gets no more cache.
            let reader = ChunkReader(storage: storage, keys: keys, locations: locations,
                cacheBytes: ChunkReader.defaultCacheBytes / threads, pool: pool)
            while let index = work.take() {
                let job = work.jobs[index]
                let finish = { @Sendable (partial: PartialFile) in
                    let outcome = Self.fileOutcome(size: job.file.size ?? 0) {
                        try partial.finish(as: job.path, syncing: syncing)
                        RestoreTarget.applyMetadata(job.file, to: job.path)
                    }
                    work.record(index, outcome)
                    if case .success = outcome { progress.restoredFile() }
                }
                var partial: PartialFile?
                let written = Self.fileOutcome(size: job.file.size ?? 0) {
                    partial = try writeFile(job.file, at: job.path, reader: reader, resolver: resolver, keys: keys,
                        syncing: syncing, written: progress.wrote)
                }
                guard case .success = written, let partial else {
                    work.record(index, written)
                    continue
                }
                if let finisher { finisher.submit { finish(partial) } } else { finish(partial) }
            }
        }
        let finished = DispatchGroup()
        for _ in 1..<threads {
            finished.enter()
            Thread {
                worker()
                finished.leave()
            }.start()
        }
        worker()  // the calling thread is one of the workers
        finished.wait()
        finisher?.wait()
        return work.results()
    }

    /// What restoring one file of `size` bytes came to when `body` writes or finishes it: its size, or why it failed
    /// and whose fault that is.
    private static func fileOutcome(size: Int, _ body: () throws -> Void) -> Result<Int, FileRestoreFailure> {
        do {
            try body()
            return .success(size)
        } catch let failure as RestoreTarget.Failure {
            return .failure(.init(
                reason: failure.error.message, cause: failure.cause, isDiskFull: failure.error.code == .diskFull))
        } catch let error as VaultError {
            return .failure(.init(reason: error.message, cause: .damagedData))
        } catch {
            return .failure(.init(reason: "\(error)", cause: .damagedData))
        }
    }

    /// Writes one file under a fresh temporary name next to it, checking every chunk against its id and the file's
    /// size and digest (computed from the ids as they are read, FORMAT.md §4.3); returns it for
    /// ``PartialFile/finish(as:syncing:)``, which waits for the last chunk checks, syncs it and only then gives it its
    /// name. A file whose chunks would make it larger than its recorded size is stopped there (a manifest can repeat a
    /// chunk list to make a 2 KB pack restore gigabytes). When the file is to be synced, each written batch is handed
    /// to the disk at once (write-behind), so the fsync at its end waits for the last batch rather than the whole
    /// file. `written` is told each batch's size.
    private func writeFile(
        _ file: SnapshotManifest.Entry, at path: String, reader: ChunkReader, resolver: ChunkResolver, keys: VaultKeys,
        syncing: Bool, written: (Int) -> Void
    ) throws -> PartialFile {
        let (directory, name) = LocalDirectoryStorage.split(path)
        // A fresh name, never one that exists: a --force target may hold anything, and restore removes only what it made.
        let temporary = directory + "/." + name + "." + Hex.encode(Sodium.randomBytes(6)) + ".crmvault-partial"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RestoreTarget.failure("create", temporary) }
        // Closes the file and, unless it is renamed in the end, removes it, on every path out.
        let partial = PartialFile(fd: fd, temporary: temporary, checker: ChunkChecker(keys: keys))
        let checker = partial.checker
        let declared = max(file.size ?? 0, 0)
        let digest = FileDigest(key: keys.fileDigestKey, size: declared)
        // A batch is written with one `writev` straight from the decrypted blocks (no copy), and its chunks are checked
        // against their ids from the same bytes on another thread. It ends at 4 MiB of file, at `IOV_MAX` runs, or
        // when the blocks it holds reach 32 MiB (a file whose chunks each come from another block holds many).
        var runs: [(block: PlainBlock, range: Range<Int>)] = []
        var chunks: [(block: PlainBlock, range: Range<Int>, id: Digest)] = []
        var batchBytes = 0
        var heldBytes = 0
        var size = 0
        var writtenSoFar = 0
        func flush() throws {
            try Self.writeRuns(runs, to: fd, path: temporary)
            if syncing { _ = crmvault_start_writeback(fd, Int64(writtenSoFar), Int64(batchBytes)) }
            writtenSoFar += batchBytes
            checker.submit(chunks)
            written(batchBytes)
            (runs, chunks, batchBytes, heldBytes) = ([], [], 0, 0)
        }
        var resolver = resolver
        try forEachChunkID(of: file, reader: reader, resolver: &resolver) { id in
            digest.add(id)
            let (block, range) = try reader.unverifiedChunk(id)
            guard size + range.count <= declared else { throw Self.oversized(file) }
            size += range.count
            batchBytes += range.count
            chunks.append((block, range, id))
            if let last = runs.last, last.block === block, last.range.upperBound == range.lowerBound {
                runs[runs.count - 1].range = last.range.lowerBound..<range.upperBound
            } else {
                if runs.last?.block !== block { heldBytes += block.count }
                runs.append((block, range))
            }
            if batchBytes >= 4 << 20 || runs.count >= Self.runsPerWrite || heldBytes >= 32 << 20 { try flush() }
        }
        if !runs.isEmpty { try flush() }
        guard size == declared, digest.finalize().hex == file.digest else {
            // A chunk that did not match its id is the first thing wrong, and is said first.
            if let mismatch = checker.finish() { throw PartialFile.mismatch(mismatch) }
            throw VaultError(.chunkCorrupted, "\(file.path) does not match its recorded size and digest after restore.")
        }
        return partial
    }

    /// At most this many runs go into one `writev` (Linux's `IOV_MAX`).
    private static let runsPerWrite = 1024

    /// Writes `runs` in order with `writev`, resuming after a short write.
    private static func writeRuns(_ runs: [(block: PlainBlock, range: Range<Int>)], to fd: Int32, path: String) throws {
        var vectors = runs.map { run in
            iovec(iov_base: UnsafeMutableRawPointer(mutating: run.block.bytes.baseAddress! + run.range.lowerBound),
                iov_len: run.range.count)
        }
        var first = 0
        while first < vectors.count {
            let count = vectors[first...].withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw RestoreTarget.failure("write", path)
            }
            var left = count
            while first < vectors.count && left >= vectors[first].iov_len {
                left -= vectors[first].iov_len
                first += 1
            }
            if left > 0 {
                vectors[first].iov_base = vectors[first].iov_base! + left
                vectors[first].iov_len -= left
            }
        }
        withExtendedLifetime(runs) {}
    }
}
