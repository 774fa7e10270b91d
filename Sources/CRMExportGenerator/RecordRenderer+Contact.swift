extension RecordRenderer {
    /// The mutable field slots of a Contact.
    enum ContactSlot: Int, CaseIterable {
        case owner, mailingAddress, phone, mobile, email, title, department, description, optOut, lastActivity
        case level, doNotCall, bounce

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 6
            case .mailingAddress: 5
            case .phone: 7
            case .mobile: 6
            case .email: 8
            case .title: 10
            case .department: 5
            case .description: 8
            case .optOut: 5
            case .lastActivity: 25
            case .level: 5
            case .doNotCall: 3
            case .bounce: 3
            }
        }
    }

    /// The exported Contact fields.
    static let contactFieldNames = [
        "Id", "IsDeleted", "MasterRecordId", "AccountId", "LastName", "FirstName", "Salutation", "Name",
        "OtherStreet", "OtherCity", "OtherState", "OtherPostalCode", "OtherCountry", "MailingStreet", "MailingCity",
        "MailingState", "MailingPostalCode", "MailingCountry", "Phone", "Fax", "MobilePhone", "HomePhone",
        "OtherPhone", "AssistantPhone", "ReportsToId", "Email", "Title", "Department", "AssistantName",
        "LeadSource", "Birthdate", "Description", "OwnerId", "HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall",
        "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastActivityDate",
        "LastCURequestDate", "LastCUUpdateDate", "EmailBouncedReason", "EmailBouncedDate", "Jigsaw",
        "JigsawContactId", "Level__c", "Languages__c",
    ]

    /// The person a Contact or Lead reference names, exactly as that record's row shows the name.
    func person(of reference: RecordReference) -> Person {
        let personSeed = seed(of: reference.object, number: reference.number)
        if reference.object == .lead {
            return leadPerson(seed: personSeed)
        }
        return person(seed: personSeed, preferredRegion: company(ofAccount: reference.accountNumber)?.region)
    }

    /// Writes `ContactPhone, ContactMobile, ContactEmail` of a Case: the contact's values as first entered.
    func writeContactDetails(of reference: RecordReference, person: Person, to writer: inout CSVRowWriter) {
        let contactSeed = seed(of: .contact, number: reference.number)
        var phone = DeterministicRandom(contactSeed, UInt64(ContactSlot.phone.rawValue) << 8)
        writePhone(in: person.region, random: &phone, to: &writer)
        var mobile = DeterministicRandom(contactSeed, UInt64(ContactSlot.mobile.rawValue) << 8)
        if mobile.chance(0.6) {
            writePhone(in: person.region, random: &mobile, to: &writer)
        } else {
            writer.emptyField()
        }
        var email = DeterministicRandom(contactSeed, UInt64(ContactSlot.email.rawValue) << 8)
        writer.openField()
        appendEmail(of: person, at: company(ofAccount: reference.accountNumber), random: &email, to: &writer)
        writer.closeField()
    }

    /// Writes one Contact row.
    func writeContact(_ record: RecordState, to writer: inout CSVRowWriter) {
        let company = company(ofAccount: record.accountNumber)
        let person = person(seed: record.seed, preferredRegion: company?.region)
        let region = person.region
        var extras = fixed(record, .extras)
        writer.field(id: record.number, keyPrefix: ExportObject.contact.keyPrefix)
        writer.field(false)
        writer.emptyField()
        if record.accountNumber != 0 {
            writer.field(id: record.accountNumber, keyPrefix: ExportObject.account.keyPrefix)
        } else {
            writer.emptyField()
        }
        writer.field(person.last.text)
        writer.field(person.first.text)
        writer.field(extras.chance(0.6) ? person.salutation : [])
        writer.openField()
        writer.append(person.first.text)
        writer.append(byte: 0x20)
        writer.append(person.last.text)
        writer.closeField()
        writeEmptyAddress(to: &writer)
        var mailing = slot(record, ContactSlot.mailingAddress.rawValue)
        if mailing.chance(0.7) {
            writeAddress(in: region, random: &mailing, to: &writer)
        } else {
            writeEmptyAddress(to: &writer)
        }
        var phone = slot(record, ContactSlot.phone.rawValue)
        writePhone(in: region, random: &phone, to: &writer)
        writer.emptyField()
        var mobile = slot(record, ContactSlot.mobile.rawValue)
        if mobile.chance(0.6) {
            writePhone(in: region, random: &mobile, to: &writer)
        } else {
            writer.emptyField()
        }
        for _ in 0..<3 {
            writer.emptyField()
        }
        writer.emptyField()
        var email = slot(record, ContactSlot.email.rawValue)
        writer.openField()
        appendEmail(of: person, at: company, random: &email, to: &writer)
        writer.closeField()
        var title = slot(record, ContactSlot.title.rawValue)
        writer.field(title.chance(0.1) ? [] : title.element(of: Vocabulary.titles))
        var department = slot(record, ContactSlot.department.rawValue)
        writer.field(department.chance(0.3) ? [] : department.element(of: Vocabulary.departments))
        writer.openField()
        if extras.chance(0.1) {
            let assistant = self.person(seed: DeterministicRandom.mix(record.seed, 0xA551), preferredRegion: region)
            writer.append(assistant.first.text)
            writer.append(byte: 0x20)
            writer.append(assistant.last.text)
        }
        writer.closeField()
        writer.field(extras.element(of: Vocabulary.leadSources))
        if extras.chance(0.15) {
            writer.field(day: CivilCalendar.days(year: extras.within(1958...2001), month: extras.within(1...12),
                                                 day: extras.within(1...28)))
        } else {
            writer.emptyField()
        }
        var description = slot(record, ContactSlot.description.rawValue)
        writeSentences(description.chance(0.8) ? 0 : description.within(1...2), random: &description, to: &writer)
        writeOwner(record, slot: ContactSlot.owner.rawValue, to: &writer)
        var optOut = slot(record, ContactSlot.optOut.rawValue)
        writer.field(optOut.chance(0.12))
        writer.field(false)
        var doNotCall = slot(record, ContactSlot.doNotCall.rawValue)
        writer.field(doNotCall.chance(0.05))
        writeAudit(record, to: &writer)
        var activity = slot(record, ContactSlot.lastActivity.rawValue)
        let activityRevision = record.revision(ContactSlot.lastActivity.rawValue)
        if activityRevision == 0 && activity.chance(0.6) {
            writer.emptyField()
        } else {
            writeDay(createdDay(record) + activityRevision * 18 + activity.below(25), notAfter: record, to: &writer)
        }
        writer.emptyField()
        writer.emptyField()
        let bounceRevision = record.revision(ContactSlot.bounce.rawValue)
        var bounce = slot(record, ContactSlot.bounce.rawValue)
        if bounceRevision > 0 && bounce.chance(0.5) {
            writer.field(bounce.element(of: Vocabulary.bounceReasons))
            writeDay(createdDay(record) + 40 * bounceRevision, notAfter: record, to: &writer)
        } else {
            writer.emptyField()
            writer.emptyField()
        }
        writer.emptyField()
        writer.emptyField()
        var level = slot(record, ContactSlot.level.rawValue)
        writer.field(level.chance(0.3) ? [] : level.element(of: Vocabulary.contactLevels))
        writer.field(extras.chance(0.5) ? [] : extras.element(of: Vocabulary.languages))
    }
}
