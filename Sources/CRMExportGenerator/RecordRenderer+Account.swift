extension RecordRenderer {
    /// The mutable field slots of an Account.
    enum AccountSlot: Int, CaseIterable {
        case owner, type, billingAddress, phone, annualRevenue, employees, description, rating, website
        case lastActivity, customerPriority, serviceLevel, active

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 6
            case .type: 5
            case .billingAddress: 4
            case .phone: 6
            case .annualRevenue: 9
            case .employees: 8
            case .description: 10
            case .rating: 8
            case .website: 3
            case .lastActivity: 25
            case .customerPriority: 5
            case .serviceLevel: 7
            case .active: 2
            }
        }
    }

    /// The exported Account fields.
    static let accountFieldNames = [
        "Id", "IsDeleted", "MasterRecordId", "Name", "Type", "ParentId", "BillingStreet", "BillingCity",
        "BillingState", "BillingPostalCode", "BillingCountry", "ShippingStreet", "ShippingCity", "ShippingState",
        "ShippingPostalCode", "ShippingCountry", "Phone", "Fax", "AccountNumber", "Website", "Sic", "Industry",
        "AnnualRevenue", "NumberOfEmployees", "Ownership", "TickerSymbol", "Description", "Rating", "Site",
        "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
        "LastActivityDate", "AccountSource", "CustomerPriority__c", "SLA__c", "Active__c", "NumberofLocations__c",
        "UpsellOpportunity__c", "SLASerialNumber__c", "SLAExpirationDate__c",
    ]

    /// Revenue magnitudes an account's annual revenue is a small multiple of.
    private static let revenueMagnitudes = [
        100_000, 500_000, 1_000_000, 5_000_000, 25_000_000, 100_000_000, 750_000_000, 5_000_000_000,
    ]

    /// Writes one Account row.
    func writeAccount(_ record: RecordState, to writer: inout CSVRowWriter) {
        let company = company(seed: record.seed)
        let region = company.region
        var classification = fixed(record, .classification)
        var extras = fixed(record, .extras)
        writer.field(id: record.number, keyPrefix: ExportObject.account.keyPrefix)
        writer.field(false)
        writer.emptyField()
        writer.openField()
        appendName(of: company, to: &writer)
        writer.closeField()
        var type = slot(record, AccountSlot.type.rawValue)
        writer.field(type.element(of: Vocabulary.accountTypes))
        if record.accountNumber != 0 {
            writer.field(id: record.accountNumber, keyPrefix: ExportObject.account.keyPrefix)
        } else {
            writer.emptyField()
        }

        var billing = slot(record, AccountSlot.billingAddress.rawValue)
        var shipping = fixed(record, .shipping)
        switch shipping.below(10) {
        case 0...4:
            var sameAsBilling = billing
            writeAddress(in: region, random: &billing, to: &writer)
            writeAddress(in: region, random: &sameAsBilling, to: &writer)
        case 6...8:
            writeAddress(in: region, random: &billing, to: &writer)
            writeEmptyAddress(to: &writer)
        default:
            writeAddress(in: region, random: &billing, to: &writer)
            writeAddress(in: region, random: &shipping, to: &writer)
        }

        var phone = slot(record, AccountSlot.phone.rawValue)
        writePhone(in: region, random: &phone, to: &writer)
        if extras.chance(0.3) {
            writePhone(in: region, random: &extras, to: &writer)
        } else {
            writer.emptyField()
        }
        writer.openField()
        if extras.chance(0.5) {
            appendPattern(RecordRenderer.accountNumberPattern, areaCode: [], random: &extras, to: &writer)
        }
        writer.closeField()

        var website = slot(record, AccountSlot.website.rawValue)
        writer.openField()
        if website.chance(0.85) {
            writer.append(website.element(of: RecordRenderer.websitePrefixes))
            appendDomain(of: company, to: &writer)
            if website.chance(0.2) {
                writer.append(byte: 0x2F)
            }
        }
        writer.closeField()
        writer.openField()
        if classification.chance(0.4) {
            writer.appendInteger(classification.within(1_000...9_999))
        }
        writer.closeField()
        writer.field(classification.element(of: Vocabulary.industries))

        var revenue = slot(record, AccountSlot.annualRevenue.rawValue)
        var size = fixed(record, .size)
        let magnitude = size.element(of: RecordRenderer.revenueMagnitudes)
        let baseRevenue = magnitude * size.within(1...9)
        writer.openField()
        if size.chance(0.75) {
            let revision = record.revision(AccountSlot.annualRevenue.rawValue)
            writer.appendInteger(revision == 0 ? baseRevenue : baseRevenue / 100 * revenue.within(80...140))
        }
        writer.closeField()
        var employees = slot(record, AccountSlot.employees.rawValue)
        writer.openField()
        if size.chance(0.8) {
            writer.appendInteger(max(1, baseRevenue / 180_000 * employees.within(80...120) / 100 + employees.below(9)))
        }
        writer.closeField()
        let ownership = classification.element(of: Vocabulary.ownerships)
        writer.field(ownership)
        writer.openField()
        if ownership == Vocabulary.ownerships[0] {
            appendPattern(RecordRenderer.tickerPattern, areaCode: [], random: &classification, to: &writer)
        }
        writer.closeField()

        var description = slot(record, AccountSlot.description.rawValue)
        writeSentences(description.chance(0.5) ? 0 : description.within(1...3), random: &description, to: &writer)
        var rating = slot(record, AccountSlot.rating.rawValue)
        writer.field(rating.chance(0.2) ? [] : rating.element(of: Vocabulary.ratings))
        writer.openField()
        if extras.chance(0.2) {
            writer.append(extras.element(of: RecordRenderer.siteNames))
        }
        writer.closeField()
        writeOwner(record, slot: AccountSlot.owner.rawValue, to: &writer)
        writeAudit(record, to: &writer)

        var activity = slot(record, AccountSlot.lastActivity.rawValue)
        let activityRevision = record.revision(AccountSlot.lastActivity.rawValue)
        if activityRevision == 0 && activity.chance(0.5) {
            writer.emptyField()
        } else {
            writeDay(createdDay(record) + activityRevision * 21 + activity.below(30), notAfter: record, to: &writer)
        }
        writer.field(classification.element(of: Vocabulary.leadSources))
        var priority = slot(record, AccountSlot.customerPriority.rawValue)
        writer.field(priority.element(of: Vocabulary.customerPriorities))
        var serviceLevel = slot(record, AccountSlot.serviceLevel.rawValue)
        writer.field(serviceLevel.element(of: Vocabulary.serviceLevels))
        var active = slot(record, AccountSlot.active.rawValue)
        writer.field(active.chance(0.1) ? [] : active.element(of: Vocabulary.yesNo))
        writer.field(integer: size.within(1...200))
        writer.field(extras.element(of: Vocabulary.upsellOpportunities))
        writer.field(integer: extras.within(1_000...9_999))
        let serviceYears = record.revision(AccountSlot.serviceLevel.rawValue) + 1
        writer.field(day: createdDay(record) + 365 * serviceYears + serviceLevel.below(60))
    }

    /// The pattern of `AccountNumber`.
    private static let accountNumberPattern: [UInt8] = Array("CD*#####".utf8)

    /// The pattern of `TickerSymbol`.
    private static let tickerPattern: [UInt8] = Array("@@@".utf8)

    /// Prefixes of `Website` values.
    private static let websitePrefixes = Word.texts(["www.", "https://www.", "http://www.", "https://"])

    /// `Site` values.
    private static let siteNames = Word.texts(["Headquarters", "Branch", "Plant", "Warehouse", "EMEA HQ", "R&D"])
}
