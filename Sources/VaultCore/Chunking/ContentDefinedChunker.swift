internal import CSodium

/// FastCDC with normalized chunking over a gear table derived from the vault's chunker key
/// (docs/FORMAT.md §5). Keying the table makes chunk boundaries, and so chunk sizes, secret.
public struct ContentDefinedChunker: Sendable {
    let parameters: ChunkerParameters
    private let gear: [UInt64]
    private let maskSmall: UInt64
    private let maskLarge: UInt64
    private let alignsToNewline: Bool

    init(parameters: ChunkerParameters, key: SecretBytes) {
        _ = sodiumReady
        self.parameters = parameters
        var stream = [UInt8](repeating: 0, count: 2048)
        let nonce = [UInt8](repeating: 0, count: 8)
        key.withUnsafeBytes { key in
            _ = crypto_stream_chacha20(&stream, 2048, nonce, key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        gear = (0..<256).map { index in
            (0..<8).reduce(UInt64(0)) { value, byte in value | UInt64(stream[index * 8 + byte]) << (8 * UInt64(byte)) }
        }
        Sodium.wipe(&stream)
        let bits = parameters.average.trailingZeroBitCount
        maskSmall = ~UInt64(0) << UInt64(64 - (bits + 1))
        maskLarge = ~UInt64(0) << UInt64(64 - (bits - 1))
        alignsToNewline = parameters.alignment == "newline"
    }

    /// The length of the next chunk of `data`. When `isFinal` is false, `data` must hold at least `maximum`
    /// bytes (or the rest of the file), so the cut does not depend on how the input was buffered.
    func nextChunkLength(in data: UnsafeRawBufferPointer) -> Int {
        let count = data.count
        let minimum = parameters.minimum
        let maximum = parameters.maximum
        if count <= minimum { return count }
        let limit = min(count, maximum)
        let normal = min(limit, parameters.average)
        let bytes = data.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var hash: UInt64 = 0
        var cut = -1
        gear.withUnsafeBufferPointer { gear in
            var index = minimum
            while index < normal {
                hash = (hash << 1) &+ gear[Int(bytes[index])]
                if hash & maskSmall == 0 { cut = index; return }
                index += 1
            }
            while index < limit {
                hash = (hash << 1) &+ gear[Int(bytes[index])]
                if hash & maskLarge == 0 { cut = index; return }
                index += 1
            }
        }
        guard cut >= 0 else { return limit }
        if alignsToNewline {
            var index = cut
            while index < limit {
                if bytes[index] == 0x0a { return index + 1 }
                index += 1
            }
            return limit
        }
        return cut + 1
    }
}
