import Foundation

/// One field of a simulated sObject as `describe` reports it.
struct SalesforceField: Sendable {
    /// The API name (`BillingCity`, `SLA__c`).
    let name: String
    /// The describe `type`: `id`, `reference`, `string`, `picklist`, `textarea`, `boolean`, `int`, `double`,
    /// `currency`, `percent`, `date`, `datetime`, `phone`, `email`, `url` or `address`.
    let type: String
    /// The maximum length of text fields, 0 for others.
    let length: Int
    /// The objects a reference may point to (several for a polymorphic field such as `WhoId`).
    let referenceTo: [String]
    /// The relationship a reference is queried through (`Owner` for `OwnerId`).
    let relationshipName: String?
    /// The compound field this one is a component of (`BillingAddress` for `BillingCity`).
    let compoundFieldName: String?

    /// Whether the field is a compound (`address`), which Bulk API queries cannot select.
    var isCompound: Bool { type == "address" }
    var isCustom: Bool { name.hasSuffix("__c") }
    /// Whether the field can be empty: everything but the id, the audit fields and booleans.
    var isNillable: Bool {
        !(type == "id" || type == "boolean" || SalesforceField.auditFields.contains(name) || name == "Name"
            || name == "LastName")
    }

    static let auditFields: Set<String> = [
        "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp", "OwnerId",
    ]

    /// The SOAP type of the describe `type`.
    var soapType: String {
        switch type {
        case "id", "reference": "tns:ID"
        case "boolean": "xsd:boolean"
        case "int": "xsd:int"
        case "double", "currency", "percent": "xsd:double"
        case "date": "xsd:date"
        case "datetime": "xsd:dateTime"
        case "address": "urn:address"
        default: "xsd:string"
        }
    }

    /// A label from the API name: words split at capitals, `__c` and a trailing `Id` dropped (`Account ID`).
    var label: String {
        var base = name.hasSuffix("__c") ? String(name.dropLast(3)) : name
        var suffix = ""
        if type == "reference" || type == "id", base.hasSuffix("Id") {
            base = String(base.dropLast(2))
            suffix = base.isEmpty ? "ID" : " ID"
        }
        var words = ""
        var previous: Character?
        for character in base {
            if let previous, character.isUppercase, previous.isLowercase || previous.isNumber {
                words.append(" ")
            }
            words.append(character)
            previous = character
        }
        return words.replacingOccurrences(of: "_", with: " ") + suffix
    }
}
