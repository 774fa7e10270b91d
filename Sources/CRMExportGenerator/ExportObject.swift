/// One exported Salesforce object (an sObject type), with its id prefix, volume and churn parameters.
///
/// The cases are declared parents first, which is also the order the simulation creates, deletes and
/// cascades records in.
enum ExportObject: Int, CaseIterable, Sendable {
    /// Companies (`001`).
    case account
    /// People at accounts (`003`).
    case contact
    /// Prospects not yet converted (`00Q`).
    case lead
    /// Deals with an account (`006`).
    case opportunity
    /// Support cases, Salesforce's `Case` (`500`).
    case supportCase
    /// Activities: logged e-mails, calls and to-dos (`00T`).
    case task

    /// The Salesforce API name, which is also the CSV file's base name.
    var name: String {
        switch self {
        case .account: "Account"
        case .contact: "Contact"
        case .lead: "Lead"
        case .opportunity: "Opportunity"
        case .supportCase: "Case"
        case .task: "Task"
        }
    }

    /// The 3-character key prefix of the object's ids.
    var keyPrefix: [UInt8] {
        ExportObject.keyPrefixes[rawValue]
    }

    /// Key prefixes indexed by raw value.
    private static let keyPrefixes: [[UInt8]] = ["001", "003", "00Q", "006", "500", "00T"].map { Array($0.utf8) }

    /// Records of this object at month 0 per Account at month 0.
    var recordsPerAccount: Double {
        switch self {
        case .account: 1
        case .contact: 3
        case .lead: 1
        case .opportunity: 2
        case .supportCase: 2
        case .task: 4
        }
    }

    /// The record number of the first record, so that ids look like those of a mature org.
    var firstRecordNumber: UInt64 {
        let base62Power4: UInt64 = 62 * 62 * 62 * 62
        return base62Power4 * 62 + base62Power4 * UInt64(3 + 7 * rawValue)
    }

    /// The fraction of records deleted directly each month; cascades from deleted parents come on top.
    var monthlyDeletionRate: Double {
        switch self {
        case .account: 0.002_5
        case .contact: 0.000_5
        case .lead: 0.003
        case .opportunity: 0.000_5
        case .supportCase: 0.000_3
        case .task: 0.000_3
        }
    }

    /// The relative probability that a modification touches each mutable field slot, indexed by slot.
    var modificationWeights: [Int] {
        switch self {
        case .account: RecordRenderer.AccountSlot.allCases.map(\.modificationWeight)
        case .contact: RecordRenderer.ContactSlot.allCases.map(\.modificationWeight)
        case .lead: RecordRenderer.LeadSlot.allCases.map(\.modificationWeight)
        case .opportunity: RecordRenderer.OpportunitySlot.allCases.map(\.modificationWeight)
        case .supportCase: RecordRenderer.CaseSlot.allCases.map(\.modificationWeight)
        case .task: RecordRenderer.TaskSlot.allCases.map(\.modificationWeight)
        }
    }

    /// The slot holding the record's life-cycle stage (stage, status), which only moves forward, if any.
    var progressSlot: Int? {
        switch self {
        case .account: nil
        case .contact: nil
        case .lead: RecordRenderer.LeadSlot.status.rawValue
        case .opportunity: RecordRenderer.OpportunitySlot.stage.rawValue
        case .supportCase: RecordRenderer.CaseSlot.status.rawValue
        case .task: RecordRenderer.TaskSlot.status.rawValue
        }
    }

    /// Typical days between two life-cycle steps, used to age the records of month 0.
    var daysPerProgressStep: Int {
        switch self {
        case .account, .contact: 365
        case .lead: 40
        case .opportunity: 35
        case .supportCase: 9
        case .task: 6
        }
    }

    /// The CSV header: the API names of the exported fields, in export order.
    var fieldNames: [String] {
        switch self {
        case .account: RecordRenderer.accountFieldNames
        case .contact: RecordRenderer.contactFieldNames
        case .lead: RecordRenderer.leadFieldNames
        case .opportunity: RecordRenderer.opportunityFieldNames
        case .supportCase: RecordRenderer.caseFieldNames
        case .task: RecordRenderer.taskFieldNames
        }
    }
}
