/// Salesforce record ids: 15 or 18 letters and digits whose first three characters, the key prefix, name the object.
///
/// The replica learns each exported object's prefix from its own `Id` column; this table covers objects whose file
/// has no records to learn from, so that a reference to them still gets its foreign key.
enum KeyPrefixes {
    /// Standard objects' key prefixes (Salesforce's "Standard Field Record ID Prefix Decoder").
    static let standard: [String: String] = [
        "001": "Account", "002": "Note", "003": "Contact", "005": "User", "006": "Opportunity", "00D": "Organization",
        "00E": "UserRole", "00G": "Group", "00P": "Attachment", "00Q": "Lead", "00T": "Task", "00U": "Event",
        "00e": "Profile", "00k": "OpportunityLineItem", "00v": "CampaignMember", "012": "RecordType", "015": "Document",
        "01s": "Pricebook2", "01t": "Product2", "01u": "PricebookEntry", "02i": "Asset", "02s": "EmailMessage",
        "068": "ContentVersion", "069": "ContentDocument", "06A": "ContentDocumentLink", "0Q0": "Quote",
        "500": "Case", "501": "Solution", "570": "LiveChatTranscript", "701": "Campaign", "800": "Contract",
        "801": "Order", "802": "OrderItem",
    ]

    /// The placeholder Salesforce exports for an empty reference; the replica stores NULL.
    static let emptyID = Array("000000000000000AAA".utf8)

    /// The key prefix of `bytes` when they look like a Salesforce id (15 or 18 ASCII letters and digits).
    static func prefix(ofID bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isID(bytes) ? String(decoding: bytes.prefix(3), as: UTF8.self) : nil
    }

    /// Whether `bytes` look like a Salesforce id: 15 or 18 ASCII letters and digits.
    static func isID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 15 || bytes.count == 18 else { return false }
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: continue
            default: return false
            }
        }
        return true
    }

    /// Whether `bytes` are Salesforce's empty-id placeholder.
    static func isEmptyID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Most values differ in length, ids in their last byte: the full comparison is rare.
        bytes.count == 18 && bytes[17] == 0x41 && bytes[0] == 0x30 && bytes.elementsEqual(emptyID)
    }
}
