import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOHTTP1
import VaultCore

/// Downloads one vendor archive into `downloads/`, so that an interrupted download, in this run or a later one,
/// resumes where it provably stopped.
///
/// Every 8 MiB the file is flushed to disk and a checkpoint is written beside it (`NAME.partial.json`: the URL, the
/// vendor's validator (`ETag` or `Last-Modified`), the total length, and the length and SHA-256 of the bytes
/// flushed). A resume first cuts the file back to the checkpoint and checks that prefix against its SHA-256 (else it
/// starts over), then asks for the rest with `Range` and `If-Range`: a `206` whose `Content-Range` starts at the
/// checkpoint and names the same total is appended; anything else starts over. The full length must equal the
/// `Content-Length` (or `Content-Range` total) the vendor announced. A body sent without a length (chunked transfer
/// encoding, which HTTP allows any server or proxy to use) is complete when its last chunk arrives; a chunked body
/// cut short fails in the HTTP client, and every zip's directory and CRC-32s are checked when it is unpacked.
struct ResumableDownload {
    let http: VendorHTTPClient
    let tokens: OAuthTokens
    let url: URL
    let file: URL
    let limit: Int
    let logger: Logger

    static let checkpointBytes = 8 << 20

    struct Checkpoint: Codable, Equatable {
        var url: String
        var validator: String?
        /// The file's full length; nil while a download sent without one is not finished.
        var length: Int?
        var verified: Int
        var sha256: String

        /// Whether every byte of the file is here.
        var isComplete: Bool { length.map { verified >= $0 } ?? false }
    }

    var checkpointFile: URL {
        file.deletingLastPathComponent().appendingPathComponent(file.lastPathComponent + ".partial.json")
    }

    /// Downloads (or finishes downloading) the file and returns how many bytes came over the network this time.
    @discardableResult
    func run() async throws -> Int {
        var progress = try resumePoint()
        var received = 0
        var attempt = 0
        while !(progress.checkpoint?.isComplete ?? false) {
            try Task.checkCancellation()
            let outcome = try await fetch(from: progress)
            received += outcome.received
            progress = outcome.progress
            if let reason = outcome.interruption {
                attempt += 1
                guard attempt <= http.policy.retries else {
                    throw VaultError(
                        .networkFailed,
                        "Downloading \(file.lastPathComponent) failed \(attempt) times; the last time: \(reason). "
                            + "The \(progress.checkpoint?.verified ?? 0) bytes received so far are kept for the next run.",
                        remedy: "Run the pull again; it resumes the download.")
                }
                let wait = http.policy.delay(attempt: attempt, retryAfter: nil)
                logger.warning("download of \(file.lastPathComponent) interrupted (\(reason)); resuming in \(wait)")
                try await Task.sleep(for: wait)
            }
        }
        return received
    }

    /// Where the file stands: a checkpoint whose prefix still hashes right, or nothing (start over).
    /// `SHA256` is a plain value without shared state, but swift-crypto does not mark it `Sendable`.
    struct Progress: @unchecked Sendable {
        var checkpoint: Checkpoint?
        var hasher = SHA256()
    }

    private func resumePoint() throws -> Progress {
        guard let data = try? Data(contentsOf: checkpointFile),
            let checkpoint = try? JSONDecoder().decode(Checkpoint.self, from: data),
            checkpoint.url == url.absoluteString,
            checkpoint.verified <= checkpoint.length ?? limit, checkpoint.length ?? 0 <= limit,
            let handle = try? FileHandle(forUpdating: file)
        else {
            discard()
            return Progress()
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var remaining = checkpoint.verified
        while remaining > 0, let chunk = try? handle.read(upToCount: min(remaining, 1 << 20)), !chunk.isEmpty {
            hasher.update(data: chunk)
            remaining -= chunk.count
        }
        guard remaining == 0, Self.hex(hasher) == checkpoint.sha256,
            (try? handle.truncate(atOffset: UInt64(checkpoint.verified))) != nil
        else {
            logger.notice("the partial download \(file.lastPathComponent) does not match its checkpoint; starting over")
            discard()
            return Progress()
        }
        let total = checkpoint.length.map(String.init) ?? "?"
        logger.info("resuming \(file.lastPathComponent) at \(checkpoint.verified) of \(total) bytes")
        return Progress(checkpoint: checkpoint, hasher: hasher)
    }

    private func discard() {
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.removeItem(at: checkpointFile)
    }

    private struct Outcome: Sendable {
        var progress: Progress
        var received: Int
        var interruption: String?
    }

    private func fetch(from progress: Progress) async throws -> Outcome {
        var request = VendorRequest(.GET, url, headers: [("Accept", "application/zip, application/octet-stream")])
        request.authorization = .sessionCookie
        request.acceptsGzip = false
        if let checkpoint = progress.checkpoint, checkpoint.verified > 0 {
            request.headers.append(("Range", "bytes=\(checkpoint.verified)-"))
            if let validator = checkpoint.validator { request.headers.append(("If-Range", validator)) }
        }
        return try await http.send(request, tokens: tokens) { head, body in
            var progress = progress
            let resumed = head.status == .partialContent
            let start: Int
            let total: Int?
            if resumed {
                guard let range = head.header("Content-Range").flatMap(Self.contentRange),
                    let checkpoint = progress.checkpoint,
                    range.start == checkpoint.verified, checkpoint.length.map({ $0 == range.total }) ?? true
                else {
                    throw VaultError(
                        .vendorFailed,
                        "The vendor answered the resumed download of \(file.lastPathComponent) with "
                            + "a Content-Range that does not continue it.",
                        remedy: "Run the pull again; it starts the download over.")
                }
                start = range.start
                total = range.total
            } else {
                guard head.status == .ok else {
                    throw VaultError(
                        .vendorFailed,
                        "The vendor answered the download of \(file.lastPathComponent) with HTTP \(head.status.code) "
                            + "where it sends the file.",
                        remedy: "Run the pull again; if it persists, download the file from Setup > Data Export.")
                }
                // Without a Content-Length (chunked), the length is known once the last chunk has arrived.
                start = 0
                total = head.header("Content-Length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                    .flatMap { $0 >= 0 ? $0 : nil }
                progress = Progress()
                discard()
            }
            guard total ?? 0 <= limit else {
                throw VaultError(
                    .vendorFailed, "\(file.lastPathComponent) is \(total) bytes, more than the pull's file limit.")
            }
            let validator = head.header("ETag") ?? head.header("Last-Modified")
            var checkpoint = Checkpoint(
                url: url.absoluteString, validator: validator, length: total, verified: start,
                sha256: Self.hex(progress.hasher))
            let output = try StagedFile(creating: file, limit: limit, appending: resumed)
            var received = 0
            var sinceCheckpoint = 0
            func saveCheckpoint() throws {
                try output.sync()
                checkpoint.verified = output.size
                checkpoint.sha256 = Self.hex(progress.hasher)
                let data = try JSONEncoder().encode(checkpoint)
                try? FileManager.default.removeItem(at: checkpointFile)
                try ExportWriting.write(data, to: checkpointFile, limit: 1 << 20)
            }
            try saveCheckpoint()
            do {
                for try await buffer in body {
                    try Task.checkCancellation()
                    guard output.size + buffer.readableBytes <= total ?? limit else {
                        let name = file.lastPathComponent
                        throw VaultError(
                            .vendorFailed,
                            total.map { "The vendor sent more than the \($0) bytes it announced for \(name)." }
                                ?? "\(name) is more than the pull's file limit of \(limit) bytes.")
                    }
                    try output.append(buffer.readableBytesView)
                    buffer.withUnsafeReadableBytes { progress.hasher.update(bufferPointer: $0) }
                    received += buffer.readableBytes
                    sinceCheckpoint += buffer.readableBytes
                    if sinceCheckpoint >= Self.checkpointBytes {
                        try saveCheckpoint()
                        sinceCheckpoint = 0
                    }
                }
            } catch let error as VaultError {
                throw error
            } catch let error as CancellationError {
                try? saveCheckpoint()
                throw error
            } catch {
                try saveCheckpoint()
                try output.finish()
                progress.checkpoint = checkpoint
                return Outcome(
                    progress: progress, received: received,
                    interruption: VendorHTTPClient.describe(error, redactor: http.redactor))
            }
            checkpoint.length = total ?? output.size
            try saveCheckpoint()
            try output.finish()
            progress.checkpoint = checkpoint
            guard output.size == checkpoint.length else {
                return Outcome(
                    progress: progress, received: received,
                    interruption: "the body ended after \(output.size) of \(checkpoint.length ?? 0) bytes")
            }
            return Outcome(progress: progress, received: received, interruption: nil)
        }
    }

    /// `bytes START-END/TOTAL`.
    static func contentRange(_ value: String) -> (start: Int, end: Int, total: Int)? {
        let parts = value.trimmingCharacters(in: .whitespaces).split(whereSeparator: { " -/".contains($0) })
        guard parts.count == 4, parts[0] == "bytes", let start = Int(parts[1]), let end = Int(parts[2]),
            let total = Int(parts[3]),
            start <= end, end < total
        else { return nil }
        return (start, end, total)
    }

    static func hex(_ hasher: SHA256) -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
