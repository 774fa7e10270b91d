/// A two-line signed document: canonical JSON body, then the hex Ed25519 signature (docs/FORMAT.md §2).
/// Used for the vault config and for chain entries.
struct SignedDocument {
    let body: [UInt8]
    let signature: [UInt8]

    /// SHA-256 of the body: the config hash and the chain entry hash.
    var hash: Digest { SHA256Hasher.hash(body) }

    init(body: [UInt8], signedBy key: SigningKey, domain: String) {
        self.body = body
        signature = key.sign(body, domain: domain)
    }

    /// Parses the stored bytes; nil if they are not exactly two `\n`-terminated lines with a 64-byte hex signature.
    init?(parsing bytes: [UInt8]) {
        guard bytes.last == 0x0a, let split = bytes.firstIndex(of: 0x0a), split + 1 < bytes.count else { return nil }
        let signatureLine = bytes[(split + 1)..<(bytes.count - 1)]
        guard signatureLine.count == 128, let signature = Hex.decode(String(decoding: signatureLine, as: UTF8.self)) else {
            return nil
        }
        body = Array(bytes[..<split])
        self.signature = signature
    }

    var bytes: [UInt8] { body + [0x0a] + Hex.encodeBytes(signature) + [0x0a] }

    func isSigned(by key: PublicSigningKey, domain: String) -> Bool {
        key.isValidSignature(signature, over: body, domain: domain)
    }

    static let configDomain = "crmvault config v1"
    static let chainDomain = "crmvault chain v1"
}
