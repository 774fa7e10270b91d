extension RecordRenderer {
    /// The mutable field slots of a Lead.
    enum LeadSlot: Int, CaseIterable {
        case owner, status, rating, email, phone, title, description, lastActivity, productInterest, address
        case unread

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 8
            case .status: 20
            case .rating: 8
            case .email: 5
            case .phone: 6
            case .title: 6
            case .description: 8
            case .lastActivity: 20
            case .productInterest: 5
            case .address: 4
            case .unread: 6
            }
        }
    }

    /// The exported Lead fields.
    static let leadFieldNames = [
        "Id", "IsDeleted", "MasterRecordId", "LastName", "FirstName", "Salutation", "Name", "Title", "Company",
        "Street", "City", "State", "PostalCode", "Country", "Phone", "MobilePhone", "Fax", "Email", "Website",
        "Description", "LeadSource", "Status", "Industry", "Rating", "AnnualRevenue", "NumberOfEmployees",
        "OwnerId", "IsConverted", "ConvertedDate", "ConvertedAccountId", "ConvertedContactId",
        "ConvertedOpportunityId", "IsUnreadByOwner", "CreatedDate", "CreatedById", "LastModifiedDate",
        "LastModifiedById", "SystemModstamp", "LastActivityDate", "Jigsaw", "JigsawContactId", "EmailBouncedReason",
        "EmailBouncedDate", "SICCode__c", "ProductInterest__c", "Primary__c", "CurrentGenerators__c",
        "NumberofLocations__c",
    ]

    /// The company a lead works for.
    func leadCompany(seed leadSeed: UInt64) -> Company {
        company(seed: DeterministicRandom.mix(leadSeed, 0xC0))
    }

    /// The person a lead names.
    func leadPerson(seed leadSeed: UInt64) -> Person {
        person(seed: leadSeed, preferredRegion: leadCompany(seed: leadSeed).region)
    }

    /// Writes one Lead row.
    func writeLead(_ record: RecordState, to writer: inout CSVRowWriter) {
        let company = leadCompany(seed: record.seed)
        let person = person(seed: record.seed, preferredRegion: company.region)
        let region = person.region
        var extras = fixed(record, .extras)
        var classification = fixed(record, .classification)
        writer.field(id: record.number, keyPrefix: ExportObject.lead.keyPrefix)
        writer.field(false)
        writer.emptyField()
        writer.field(person.last.text)
        writer.field(person.first.text)
        writer.field(extras.chance(0.5) ? person.salutation : [])
        writer.openField()
        writer.append(person.first.text)
        writer.append(byte: 0x20)
        writer.append(person.last.text)
        writer.closeField()
        var title = slot(record, LeadSlot.title.rawValue)
        writer.field(title.chance(0.2) ? [] : title.element(of: Vocabulary.titles))
        writer.openField()
        appendName(of: company, to: &writer)
        writer.closeField()
        var address = slot(record, LeadSlot.address.rawValue)
        if address.chance(0.6) {
            writeAddress(in: region, random: &address, to: &writer)
        } else {
            writeEmptyAddress(to: &writer)
        }
        var phone = slot(record, LeadSlot.phone.rawValue)
        writePhone(in: region, random: &phone, to: &writer)
        if extras.chance(0.4) {
            writePhone(in: region, random: &extras, to: &writer)
        } else {
            writer.emptyField()
        }
        writer.emptyField()
        var email = slot(record, LeadSlot.email.rawValue)
        writer.openField()
        appendEmail(of: person, at: company, random: &email, to: &writer)
        writer.closeField()
        writer.openField()
        if extras.chance(0.5) {
            writer.append(RecordRenderer.leadWebsitePrefix)
            appendDomain(of: company, to: &writer)
        }
        writer.closeField()
        var description = slot(record, LeadSlot.description.rawValue)
        writeSentences(description.chance(0.6) ? 0 : description.within(1...2), random: &description, to: &writer)
        writer.field(classification.element(of: Vocabulary.leadSources))

        // Drawn unconditionally so that later draws from `classification` do not depend on the status.
        let convertible = classification.chance(0.35)
        let statusStep = record.revision(LeadSlot.status.rawValue)
        let converted = statusStep >= 2 && convertible
        if statusStep < 2 {
            writer.field(Vocabulary.openLeadStatuses[statusStep])
        } else {
            writer.field(converted ? Vocabulary.convertedLeadStatus : Vocabulary.unconvertedLeadStatus)
        }
        writer.field(classification.chance(0.3) ? [] : classification.element(of: Vocabulary.industries))
        var rating = slot(record, LeadSlot.rating.rawValue)
        writer.field(rating.chance(0.3) ? [] : rating.element(of: Vocabulary.ratings))
        var size = fixed(record, .size)
        writer.openField()
        if size.chance(0.4) {
            writer.appendInteger(size.within(1...500) * 100_000)
        }
        writer.closeField()
        writer.openField()
        if size.chance(0.5) {
            writer.appendInteger(size.within(1...5_000))
        }
        writer.closeField()
        writeOwner(record, slot: LeadSlot.owner.rawValue, to: &writer)
        writer.field(converted)
        if converted {
            writeDay(createdDay(record) + 30 * statusStep + extras.below(20), notAfter: record, to: &writer)
        } else {
            writer.emptyField()
        }
        for _ in 0..<3 {
            writer.emptyField()
        }
        var unread = slot(record, LeadSlot.unread.rawValue)
        writer.field(record.revision(LeadSlot.unread.rawValue) == 0 ? unread.chance(0.3) : unread.chance(0.1))
        writeAudit(record, to: &writer)
        var activity = slot(record, LeadSlot.lastActivity.rawValue)
        let activityRevision = record.revision(LeadSlot.lastActivity.rawValue)
        if activityRevision == 0 && activity.chance(0.7) {
            writer.emptyField()
        } else {
            writeDay(createdDay(record) + activityRevision * 12 + activity.below(15), notAfter: record, to: &writer)
        }
        for _ in 0..<4 {
            writer.emptyField()
        }
        writer.openField()
        if extras.chance(0.3) {
            writer.appendInteger(extras.within(1_000...9_999))
        }
        writer.closeField()
        var interest = slot(record, LeadSlot.productInterest.rawValue)
        writer.field(interest.chance(0.3) ? [] : interest.element(of: Vocabulary.productInterests))
        writer.field(extras.chance(0.5) ? [] : extras.element(of: Vocabulary.yesNo))
        writer.field(extras.element(of: Vocabulary.currentGenerators))
        writer.openField()
        if extras.chance(0.3) {
            writer.appendInteger(extras.within(1...40))
        }
        writer.closeField()
    }

    /// The prefix of lead websites.
    private static let leadWebsitePrefix: [UInt8] = Array("www.".utf8)
}
