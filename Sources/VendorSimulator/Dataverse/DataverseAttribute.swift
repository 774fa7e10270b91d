/// One column of a simulated Dataverse table and how its value comes from the generated Salesforce record.
struct DataverseAttribute: Sendable {
    /// The attribute's type, as `AttributeType` names it.
    enum Kind: Sendable {
        case uniqueidentifier
        case string(maxLength: Int)
        case memo
        case integer
        case money
        case boolean
        case dateTime
        case dateOnly
        /// A choice whose option values derive from the label (see ``DataverseAttribute/optionValue(_:)``).
        case picklist
        /// `statecode` / `statuscode` with fixed options.
        case state([(String, Int)])
        case status([(String, Int)])
        case lookup([String])
        case customer([String])
        case owner
    }

    /// A value taken from the Salesforce record: one column, or derived from several.
    enum Source: Sendable {
        case column(String)
        case derived(@Sendable (SourceRow) -> String)
    }

    /// The logical name (`name`, `parentcustomerid`); the Web API column is `_<name>_value` for lookups.
    let logicalName: String
    let kind: Kind
    let source: Source

    init(_ logicalName: String, _ kind: Kind, _ source: Source) {
        self.logicalName = logicalName
        self.kind = kind
        self.source = source
    }

    /// The column name in Web API query results.
    var columnName: String { isLookup ? "_\(logicalName)_value" : logicalName }

    var isLookup: Bool {
        switch kind {
        case .lookup, .customer, .owner: true
        default: false
        }
    }

    /// The lookup targets (`systemuser` and `team` for an owner).
    var targets: [String] {
        switch kind {
        case .lookup(let targets), .customer(let targets): targets
        case .owner: ["systemuser", "team"]
        default: []
        }
    }

    /// The `AttributeType` metadata value.
    var attributeType: String {
        switch kind {
        case .uniqueidentifier: "Uniqueidentifier"
        case .string: "String"
        case .memo: "Memo"
        case .integer: "Integer"
        case .money: "Money"
        case .boolean: "Boolean"
        case .dateTime, .dateOnly: "DateTime"
        case .picklist: "Picklist"
        case .state: "State"
        case .status: "Status"
        case .lookup: "Lookup"
        case .customer: "Customer"
        case .owner: "Owner"
        }
    }

    /// The option value of a choice label not in a fixed list: stable, in the custom-option range.
    static func optionValue(_ label: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in label.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return 100_000_000 + Int(hash % 900_000)
    }
}

/// A generated Salesforce record, read by column name.
struct SourceRow {
    let columns: [String: Int]
    let values: [String]

    subscript(_ name: String) -> String {
        columns[name].map { values[$0] } ?? ""
    }
}
