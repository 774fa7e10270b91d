import ExportLayout
import Foundation

/// The parts of a Salesforce sObject describe (`GET /services/data/vNN.N/sobjects/NAME/describe`) a pull needs. The
/// whole describe is kept as the vendor sent it, in `metadata/<Object>.describe.json`.
struct SalesforceDescribe: Decodable, Sendable {
    struct Field: Decodable, Sendable {
        var name: String
        var type: String
        var referenceTo: [String]?
    }

    var name: String
    var fields: [Field]

    /// Field types Bulk API 2.0 cannot select: compound fields (their components are selected instead) and base64.
    static let unselectableTypes: Set<String> = ["address", "location", "base64"]

    /// The fields a query job selects, in describe order.
    var selectableFields: [Field] {
        fields.filter { !Self.unselectableTypes.contains($0.type) && APIName.isValid($0.name) }
    }

    /// The export layout's typed field for a describe field (docs/EXPORTS.md maps the types).
    static func exportField(_ field: Field) -> ExportField {
        let type: ExportFieldType
        switch field.type {
        case "id": type = .id
        case "reference": type = .reference
        case "boolean": type = .boolean
        case "int", "long": type = .integer
        case "double", "currency", "percent": type = .double
        case "date": type = .date
        case "datetime": type = .datetime
        case "time": type = .time
        case "base64": type = .binary
        default: type = .string
        }
        let references = field.referenceTo?.filter(APIName.isValid)
        return ExportField(
            name: field.name, type: type,
            referenceTo: type == .reference && !(references ?? []).isEmpty ? references : nil, vendorType: field.type)
    }
}

/// `GET /services/data/vNN.N/sobjects`: the org's objects.
struct SalesforceObjectList: Decodable, Sendable {
    struct Object: Decodable, Sendable {
        var name: String
        var queryable: Bool?
    }

    var sobjects: [Object]
}

/// A Bulk API 2.0 query job, as `POST …/jobs/query` and `GET …/jobs/query/ID` describe it.
struct BulkQueryJob: Decodable, Sendable {
    var id: String
    var state: String
    var object: String?
    var numberRecordsProcessed: Int?
    var errorMessage: String?
}
