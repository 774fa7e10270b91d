internal import CSodium

/// libsodium must be initialized once before any other call; every entry point touches this first.
let sodiumReady: Void = {
    precondition(sodium_init() >= 0, "libsodium failed to initialize")
}()

enum Sodium {
    /// Fills `count` bytes from the operating system's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        _ = sodiumReady
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return bytes
    }

    /// Overwrites an array's bytes with zeros in a way the optimizer cannot remove.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } }
    }
}
