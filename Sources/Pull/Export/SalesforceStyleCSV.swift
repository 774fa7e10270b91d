/// Writes CSV the way Salesforce does, for vendors that answer in JSON (docs/EXPORTS.md): UTF-8 without BOM, LF line
/// ends, every field in double quotes with embedded quotes doubled, and an empty (unquoted) field for null.
enum SalesforceStyleCSV {
    static func row(_ fields: [String?]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 3 } + 1)
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(0x2c) }
            guard let field else { continue }
            out.append(0x22)
            for byte in field.utf8 {
                if byte == 0x22 { out.append(0x22) }
                out.append(byte)
            }
            out.append(0x22)
        }
        out.append(0x0a)
        return out
    }
}
