/// A simulated Dataverse table: its names, its primary columns and its attributes, mapped from a generated
/// Salesforce object (Account → `account`, Contact → `contact`, Lead → `lead`, Opportunity → `opportunity`,
/// Case → `incident`, Task → `task`).
struct DataverseEntity: Sendable {
    let logicalName: String
    let entitySetName: String
    let schemaName: String
    let sourceObject: String
    let primaryIDAttribute: String
    let primaryNameAttribute: String
    let objectTypeCode: Int
    let attributes: [DataverseAttribute]

    /// The tables served, in export order.
    static let all: [DataverseEntity] = [account, contact, lead, opportunity, incident, task]

    /// The table of an entity set name (`accounts`).
    static func entitySet(_ name: String) -> DataverseEntity? { all.first { $0.entitySetName == name } }

    /// The table of a logical name (`account`).
    static func logicalName(_ name: String) -> DataverseEntity? { all.first { $0.logicalName == name } }

    /// The logical name of the table a Salesforce id's key prefix belongs to.
    static func logicalName(ofSalesforceID id: String) -> String {
        switch id.prefix(3) {
        case "001": "account"
        case "003": "contact"
        case "00Q": "lead"
        case "006": "opportunity"
        case "500": "incident"
        case "00T": "task"
        case "005": "systemuser"
        case "00G": "team"
        case "701": "campaign"
        case "01s": "pricelevel"
        default: "unknown"
        }
    }

    private typealias A = DataverseAttribute
    private static let active = [("Active", 0), ("Inactive", 1)]
    private static let activeStatus = [("Active", 1), ("Inactive", 2)]

    private static func audit() -> [DataverseAttribute] {
        [
            A("ownerid", .owner, .column("OwnerId")),
            A("createdby", .lookup(["systemuser"]), .column("CreatedById")),
            A("modifiedby", .lookup(["systemuser"]), .column("LastModifiedById")),
            A("createdon", .dateTime, .column("CreatedDate")),
            A("modifiedon", .dateTime, .column("LastModifiedDate")),
        ]
    }

    private static func address(_ number: Int, from prefix: String) -> [DataverseAttribute] {
        [
            A("address\(number)_line1", .string(maxLength: 250), .column(prefix + "Street")),
            A("address\(number)_city", .string(maxLength: 80), .column(prefix + "City")),
            A("address\(number)_stateorprovince", .string(maxLength: 50), .column(prefix + "State")),
            A("address\(number)_postalcode", .string(maxLength: 20), .column(prefix + "PostalCode")),
            A("address\(number)_country", .string(maxLength: 80), .column(prefix + "Country")),
        ]
    }

    static let account = DataverseEntity(
        logicalName: "account", entitySetName: "accounts", schemaName: "Account", sourceObject: "Account",
        primaryIDAttribute: "accountid", primaryNameAttribute: "name", objectTypeCode: 1,
        attributes: [
            A("accountid", .uniqueidentifier, .column("Id")),
            A("name", .string(maxLength: 160), .column("Name")),
            A("accountnumber", .string(maxLength: 20), .column("AccountNumber")),
            A("customertypecode", .picklist, .column("Type")),
            A("industrycode", .picklist, .column("Industry")),
            A("telephone1", .string(maxLength: 50), .column("Phone")),
            A("fax", .string(maxLength: 50), .column("Fax")),
            A("websiteurl", .string(maxLength: 200), .column("Website")),
        ] + address(1, from: "Billing") + address(2, from: "Shipping") + [
            A("revenue", .money, .column("AnnualRevenue")),
            A("numberofemployees", .integer, .column("NumberOfEmployees")),
            A("tickersymbol", .string(maxLength: 10), .column("TickerSymbol")),
            A("description", .memo, .column("Description")),
            A("parentaccountid", .lookup(["account"]), .column("ParentId")),
            A("statecode", .state(active), .derived { _ in "Active" }),
            A("statuscode", .status(activeStatus), .derived { _ in "Active" }),
        ] + audit())

    static let contact = DataverseEntity(
        logicalName: "contact", entitySetName: "contacts", schemaName: "Contact", sourceObject: "Contact",
        primaryIDAttribute: "contactid", primaryNameAttribute: "fullname", objectTypeCode: 2,
        attributes: [
            A("contactid", .uniqueidentifier, .column("Id")),
            A("firstname", .string(maxLength: 50), .column("FirstName")),
            A("lastname", .string(maxLength: 50), .column("LastName")),
            A("fullname", .string(maxLength: 160), .column("Name")),
            A("salutation", .string(maxLength: 100), .column("Salutation")),
            A("jobtitle", .string(maxLength: 100), .column("Title")),
            A("department", .string(maxLength: 100), .column("Department")),
            A("emailaddress1", .string(maxLength: 100), .column("Email")),
            A("telephone1", .string(maxLength: 50), .column("Phone")),
            A("mobilephone", .string(maxLength: 50), .column("MobilePhone")),
            A("birthdate", .dateOnly, .column("Birthdate")),
        ] + address(1, from: "Mailing") + address(2, from: "Other") + [
            A("description", .memo, .column("Description")),
            A("donotphone", .boolean, .column("DoNotCall")),
            A("donotbulkemail", .boolean, .column("HasOptedOutOfEmail")),
            A("leadsourcecode", .picklist, .column("LeadSource")),
            A("parentcustomerid", .customer(["account", "contact"]), .column("AccountId")),
            A("statecode", .state(active), .derived { _ in "Active" }),
            A("statuscode", .status(activeStatus), .derived { _ in "Active" }),
        ] + audit())

    static let lead = DataverseEntity(
        logicalName: "lead", entitySetName: "leads", schemaName: "Lead", sourceObject: "Lead",
        primaryIDAttribute: "leadid", primaryNameAttribute: "fullname", objectTypeCode: 4,
        attributes: [
            A("leadid", .uniqueidentifier, .column("Id")),
            A("subject", .string(maxLength: 300), .column("Company")),
            A("firstname", .string(maxLength: 50), .column("FirstName")),
            A("lastname", .string(maxLength: 50), .column("LastName")),
            A("fullname", .string(maxLength: 160), .column("Name")),
            A("companyname", .string(maxLength: 100), .column("Company")),
            A("jobtitle", .string(maxLength: 100), .column("Title")),
            A("emailaddress1", .string(maxLength: 100), .column("Email")),
            A("telephone1", .string(maxLength: 50), .column("Phone")),
            A("mobilephone", .string(maxLength: 50), .column("MobilePhone")),
            A("websiteurl", .string(maxLength: 200), .column("Website")),
        ] + address(1, from: "") + [
            A("description", .memo, .column("Description")),
            A("leadsourcecode", .picklist, .column("LeadSource")),
            A("industrycode", .picklist, .column("Industry")),
            A("revenue", .money, .column("AnnualRevenue")),
            A("numberofemployees", .integer, .column("NumberOfEmployees")),
            A("parentaccountid", .lookup(["account"]), .column("ConvertedAccountId")),
            A("parentcontactid", .lookup(["contact"]), .column("ConvertedContactId")),
            A("qualifyingopportunityid", .lookup(["opportunity"]), .column("ConvertedOpportunityId")),
            A(
                "statecode", .state([("Open", 0), ("Qualified", 1)]),
                .derived { $0["IsConverted"] == "true" ? "Qualified" : "Open" }),
            A("statuscode", .status([]), .column("Status")),
        ] + audit())

    static let opportunity = DataverseEntity(
        logicalName: "opportunity", entitySetName: "opportunities", schemaName: "Opportunity",
        sourceObject: "Opportunity", primaryIDAttribute: "opportunityid", primaryNameAttribute: "name",
        objectTypeCode: 3,
        attributes: [
            A("opportunityid", .uniqueidentifier, .column("Id")),
            A("name", .string(maxLength: 300), .column("Name")),
            A("description", .memo, .column("Description")),
            A("stepname", .string(maxLength: 200), .column("StageName")),
            A("estimatedvalue", .money, .column("Amount")),
            A(
                "closeprobability", .integer,
                .derived { $0["Probability"].split(separator: ".").first.map(String.init) ?? "" }),
            A("estimatedclosedate", .dateOnly, .column("CloseDate")),
            A("parentaccountid", .lookup(["account"]), .column("AccountId")),
            A("customerid", .customer(["account", "contact"]), .column("AccountId")),
            A("campaignid", .lookup(["campaign"]), .column("CampaignId")),
            A("pricelevelid", .lookup(["pricelevel"]), .column("Pricebook2Id")),
            A(
                "statecode", .state([("Open", 0), ("Won", 1), ("Lost", 2)]),
                .derived { $0["IsClosed"] != "true" ? "Open" : $0["IsWon"] == "true" ? "Won" : "Lost" }),
        ] + audit())

    static let incident = DataverseEntity(
        logicalName: "incident", entitySetName: "incidents", schemaName: "Incident", sourceObject: "Case",
        primaryIDAttribute: "incidentid", primaryNameAttribute: "title", objectTypeCode: 112,
        attributes: [
            A("incidentid", .uniqueidentifier, .column("Id")),
            A("title", .string(maxLength: 200), .column("Subject")),
            A("ticketnumber", .string(maxLength: 100), .column("CaseNumber")),
            A("description", .memo, .column("Description")),
            A(
                "customerid", .customer(["account", "contact"]),
                .derived { $0["AccountId"].isEmpty ? $0["ContactId"] : $0["AccountId"] }),
            A("primarycontactid", .lookup(["contact"]), .column("ContactId")),
            A("parentcaseid", .lookup(["incident"]), .column("ParentId")),
            A("prioritycode", .picklist, .column("Priority")),
            A("caseorigincode", .picklist, .column("Origin")),
            A("casetypecode", .picklist, .column("Type")),
            A("isescalated", .boolean, .column("IsEscalated")),
            A(
                "statecode", .state([("Active", 0), ("Resolved", 1)]),
                .derived { $0["IsClosed"] == "true" ? "Resolved" : "Active" }),
            A("statuscode", .status([]), .column("Status")),
        ] + audit())

    static let task = DataverseEntity(
        logicalName: "task", entitySetName: "tasks", schemaName: "Task", sourceObject: "Task",
        primaryIDAttribute: "activityid", primaryNameAttribute: "subject", objectTypeCode: 4212,
        attributes: [
            A("activityid", .uniqueidentifier, .column("Id")),
            A("subject", .string(maxLength: 200), .column("Subject")),
            A("description", .memo, .column("Description")),
            A("scheduledend", .dateOnly, .column("ActivityDate")),
            A("prioritycode", .picklist, .column("Priority")),
            A(
                "regardingobjectid", .lookup(["account", "opportunity", "incident", "contact", "lead"]),
                .derived { $0["WhatId"].isEmpty ? $0["WhoId"] : $0["WhatId"] }),
            A(
                "actualdurationminutes", .integer,
                .derived { row in Int(row["CallDurationInSeconds"]).map { String($0 / 60) } ?? "" }),
            A(
                "statecode", .state([("Open", 0), ("Completed", 1)]),
                .derived { $0["IsClosed"] == "true" ? "Completed" : "Open" }),
            A("statuscode", .status([]), .column("Status")),
        ] + audit())
}
