/// The metadata of the simulated sObjects: which objects exist, which are queryable, and each field's describe
/// type, built from the generator's columns with the types Salesforce gives those standard fields.
enum SalesforceSchema {
    /// Objects listed by `sobjects` beside the generated ones; none can be queried with Bulk API 2.0.
    static let unqueryableObjects: [(name: String, label: String)] = [
        ("AccountChangeEvent", "Account Change Event"), ("AggregateResult", "Aggregate Result"),
        ("CaseChangeEvent", "Case Change Event"), ("ContactChangeEvent", "Contact Change Event"),
    ]

    /// Objects a real org lists as queryable but whose Bulk API query job is refused at creation, with Salesforce's
    /// error code and message: a full pull of every object must leave them out rather than fail.
    static let filterRequiredObjects: [(name: String, label: String, code: String, message: String)] = [
        (
            "ContentDocumentLink", "Content Document Link", "MALFORMED_QUERY",
            "Implementation restriction: ContentDocumentLink requires a filter by a single Id, ContentDocumentId or "
                + "LinkedEntityId using the equals operator or multiple Id's using the IN operator."
        )
    ]

    /// Key prefixes of the generated objects.
    static let keyPrefixes = [
        "Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006", "Case": "500", "Task": "00T",
    ]

    /// Plural labels of the generated objects.
    static let pluralLabels = [
        "Account": "Accounts", "Contact": "Contacts", "Lead": "Leads", "Opportunity": "Opportunities",
        "Case": "Cases", "Task": "Tasks",
    ]

    /// The describe fields of a generated object: its CSV columns, with each compound address field inserted after
    /// its last component, as Salesforce lists them.
    static func fields(ofObject object: String, columns: [String]) -> [SalesforceField] {
        var fields: [SalesforceField] = []
        for column in columns {
            let compound = compoundName(of: column)
            fields.append(field(column, object: object, compound: compound))
            if let compound, column.hasSuffix("Country") {
                fields.append(
                    SalesforceField(
                        name: compound, type: "address", length: 0, referenceTo: [], relationshipName: nil,
                        compoundFieldName: nil))
            }
        }
        return fields
    }

    /// The compound address a column belongs to (`BillingAddress` for `BillingCity`, `Address` for Lead's `City`).
    static func compoundName(of column: String) -> String? {
        for component in ["Street", "City", "State", "PostalCode", "Country"] where column.hasSuffix(component) {
            let prefix = String(column.dropLast(component.count))
            if ["", "Billing", "Shipping", "Mailing", "Other"].contains(prefix) { return prefix + "Address" }
        }
        return nil
    }

    private static func field(_ name: String, object: String, compound: String?) -> SalesforceField {
        let type = describeType(of: name)
        let references = type == "reference" ? referenceTargets(of: name, object: object) : []
        let relationship = type == "reference" && name.hasSuffix("Id") ? String(name.dropLast(2)) : nil
        return SalesforceField(
            name: name, type: type, length: length(of: name, type: type), referenceTo: references,
            relationshipName: relationship, compoundFieldName: compound ?? nameComponent(name))
    }

    private static func nameComponent(_ name: String) -> String? {
        ["FirstName", "LastName", "Salutation"].contains(name) ? "Name" : nil
    }

    static func describeType(of name: String) -> String {
        if name == "Id" { return "id" }
        if referenceFields.contains(name) { return "reference" }
        if name.hasPrefix("Is")
            || ["HasOptedOutOfEmail", "HasOptedOutOfFax", "HasOpportunityLineItem", "DoNotCall"]
                .contains(name)
        {
            return "boolean"
        }
        if let type = explicitTypes[name] { return type }
        if name.hasSuffix("Phone") || name == "Fax" || name == "ContactFax" || name == "ContactMobile" {
            return "phone"
        }
        if name.hasSuffix("Email") || name == "Email" { return "email" }
        if name.hasSuffix("Street") || name == "Description" || name == "Comments" { return "textarea" }
        return "string"
    }

    private static let referenceFields: Set<String> = [
        "MasterRecordId", "ParentId", "OwnerId", "CreatedById", "LastModifiedById", "AccountId", "ContactId",
        "AssetId", "ReportsToId", "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "CampaignId",
        "Pricebook2Id", "WhoId", "WhatId", "RecurrenceActivityId",
    ]

    private static let explicitTypes: [String: String] = {
        var types: [String: String] = [:]
        for name in [
            "CreatedDate", "LastModifiedDate", "SystemModstamp", "ClosedDate", "EmailBouncedDate", "ReminderDateTime",
            "CompletedDateTime", "LastCURequestDate", "LastCUUpdateDate",
        ] { types[name] = "datetime" }
        for name in [
            "LastActivityDate", "Birthdate", "CloseDate", "ConvertedDate", "ActivityDate", "SLAExpirationDate__c",
        ] {
            types[name] = "date"
        }
        for name in ["AnnualRevenue", "Amount", "ExpectedRevenue"] { types[name] = "currency" }
        for name in ["NumberOfEmployees", "FiscalQuarter", "FiscalYear", "CallDurationInSeconds"] {
            types[name] = "int"
        }
        for name in ["NumberofLocations__c", "TotalOpportunityQuantity"] { types[name] = "double" }
        types["Probability"] = "percent"
        types["Website"] = "url"
        for name in [
            "Type", "Industry", "Rating", "Ownership", "AccountSource", "LeadSource", "Status", "Priority", "Origin",
            "Reason", "StageName", "ForecastCategory", "ForecastCategoryName", "Salutation", "CustomerPriority__c",
            "SLA__c", "Active__c", "UpsellOpportunity__c", "CallType", "TaskSubtype", "Language", "Level__c",
            "ProductInterest__c", "Primary__c", "DeliveryInstallationStatus__c", "PotentialLiability__c",
            "SLAViolation__c", "Product__c",
        ] { types[name] = "picklist" }
        return types
    }()

    private static func referenceTargets(of name: String, object: String) -> [String] {
        switch name {
        case "MasterRecordId", "ParentId": [object]
        case "OwnerId": ["Lead", "Case", "Task"].contains(object) ? ["Group", "User"] : ["User"]
        case "CreatedById", "LastModifiedById": ["User"]
        case "AccountId", "ConvertedAccountId": ["Account"]
        case "ContactId", "ReportsToId", "ConvertedContactId": ["Contact"]
        case "ConvertedOpportunityId": ["Opportunity"]
        case "AssetId": ["Asset"]
        case "CampaignId": ["Campaign"]
        case "Pricebook2Id": ["Pricebook2"]
        case "WhoId": ["Contact", "Lead"]
        case "WhatId": ["Account", "Asset", "Campaign", "Case", "Contract", "Opportunity", "Order", "Product2"]
        case "RecurrenceActivityId": ["Task"]
        default: []
        }
    }

    private static func length(of name: String, type: String) -> Int {
        switch type {
        case "id", "reference": return 18
        case "textarea": return name.hasSuffix("Street") ? 255 : 32_000
        case "phone": return 40
        case "email": return 80
        case "url": return 255
        case "picklist": return 255
        case "string":
            if name.hasSuffix("City") { return 40 }
            if name.hasSuffix("PostalCode") { return 20 }
            if name.hasSuffix("State") || name.hasSuffix("Country") || name == "FirstName" || name == "LastName" {
                return 80
            }
            return 255
        default: return 0
        }
    }
}
