extension RecordRenderer {
    /// The mutable field slots of a Case.
    enum CaseSlot: Int, CaseIterable {
        case owner, status, priority, description, escalated, comments, classification, engineering, serviceLevel

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 8
            case .status: 30
            case .priority: 10
            case .description: 15
            case .escalated: 5
            case .comments: 10
            case .classification: 6
            case .engineering: 5
            case .serviceLevel: 4
            }
        }
    }

    /// The exported Case fields.
    static let caseFieldNames = [
        "Id", "IsDeleted", "MasterRecordId", "CaseNumber", "ContactId", "AccountId", "AssetId", "ParentId",
        "SuppliedName", "SuppliedEmail", "SuppliedPhone", "SuppliedCompany", "Type", "Status", "Reason", "Origin",
        "Language", "Subject", "Priority", "Description", "IsClosed", "ClosedDate", "IsEscalated", "OwnerId",
        "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp", "ContactPhone",
        "ContactMobile", "ContactEmail", "ContactFax", "Comments", "EngineeringReqNumber__c", "SLAViolation__c",
        "Product__c", "PotentialLiability__c",
    ]

    /// `Case.Status` values: new, working, escalated, closed.
    private static let caseStatuses = Word.texts(["New", "Working", "Escalated", "Closed"])

    /// Case numbers start here, as in an org that has been closing cases for a while.
    private static let firstCaseNumber = 1_027

    /// Writes one Case row.
    func writeCase(_ record: RecordState, to writer: inout CSVRowWriter) {
        var origin = fixed(record, .origin)
        var subject = fixed(record, .subject)
        var extras = fixed(record, .extras)
        let contact = record.what.map { person(of: $0) }
        let company = company(ofAccount: record.accountNumber)
        writer.field(id: record.number, keyPrefix: ExportObject.supportCase.keyPrefix)
        writer.field(false)
        writer.emptyField()
        writer.openField()
        writer.appendInteger(RecordRenderer.firstCaseNumber + Int(record.ordinal), width: 8)
        writer.closeField()
        writer.field(reference: record.what)
        if record.accountNumber != 0 {
            writer.field(id: record.accountNumber, keyPrefix: ExportObject.account.keyPrefix)
        } else {
            writer.emptyField()
        }
        writer.emptyField()
        writer.emptyField()

        let originIndex = origin.below(Vocabulary.caseOrigins.count)
        if originIndex == 2, let contact {
            // Web-to-case: the customer typed their own details.
            writer.openField()
            writer.append(contact.first.text)
            writer.append(byte: 0x20)
            writer.append(contact.last.text)
            writer.closeField()
            writer.openField()
            appendEmail(of: contact, at: company, random: &origin, to: &writer)
            writer.closeField()
            writePhone(in: contact.region, random: &origin, to: &writer)
            writer.openField()
            if let company {
                appendName(of: company, to: &writer)
            }
            writer.closeField()
        } else {
            for _ in 0..<4 {
                writer.emptyField()
            }
        }
        var classification = slot(record, CaseSlot.classification.rawValue)
        writer.field(classification.element(of: Vocabulary.caseTypes))

        let statusStep = min(3, record.revision(CaseSlot.status.rawValue))
        let escalatesOnTheWay = extras.chance(0.25)
        let status = statusStep == 2 && !escalatesOnTheWay ? 1 : statusStep
        writer.field(RecordRenderer.caseStatuses[status])
        writer.field(classification.element(of: Vocabulary.caseReasons))
        writer.field(Vocabulary.caseOrigins[originIndex])
        writer.field(RecordRenderer.caseLanguages[extras.below(RecordRenderer.caseLanguages.count)])
        writer.openField()
        writer.append(subject.element(of: Vocabulary.caseProblems))
        writer.append(subject.element(of: Vocabulary.caseQualifiers))
        writer.closeField()
        var priority = slot(record, CaseSlot.priority.rawValue)
        writer.field(Vocabulary.priorities[min(2, priority.below(3) + (status == 2 ? 1 : 0))])
        writeCaseDescription(record, to: &writer)
        let closed = status == 3
        writer.field(closed)
        // Drawn unconditionally so that later draws from `extras` do not depend on the status.
        let closingSecond = record.createdSecond + Int64(extras.within(2...30)) * CivilCalendar.secondsPerDay
            + Int64(extras.below(86_400))
        if closed {
            writer.field(dateTime: min(closingSecond, record.modifiedSecond))
        } else {
            writer.emptyField()
        }
        var escalated = slot(record, CaseSlot.escalated.rawValue)
        writer.field(status == 2 || (record.revision(CaseSlot.escalated.rawValue) > 0 && escalated.chance(0.4)))
        writeOwner(record, slot: CaseSlot.owner.rawValue, to: &writer)
        writeAudit(record, to: &writer)
        if let contact, let reference = record.what {
            writeContactDetails(of: reference, person: contact, to: &writer)
        } else {
            for _ in 0..<3 {
                writer.emptyField()
            }
        }
        writer.emptyField()
        var comments = slot(record, CaseSlot.comments.rawValue)
        let hasComments = record.revision(CaseSlot.comments.rawValue) > 0 || comments.chance(0.15)
        writeSentences(hasComments ? comments.within(1...2) : 0, random: &comments, to: &writer)
        var engineering = slot(record, CaseSlot.engineering.rawValue)
        writer.openField()
        if record.revision(CaseSlot.engineering.rawValue) > 0 || engineering.chance(0.1) {
            writer.appendInteger(engineering.within(100_000...999_999))
        }
        writer.closeField()
        var serviceLevel = slot(record, CaseSlot.serviceLevel.rawValue)
        writer.field(serviceLevel.chance(0.5) ? [] : serviceLevel.element(of: Vocabulary.yesNo))
        writer.field(extras.element(of: Vocabulary.caseProducts))
        writer.field(extras.chance(0.6) ? [] : extras.element(of: Vocabulary.yesNo))
    }

    /// Writes a case description: the problem report, then one dated update per description revision.
    private func writeCaseDescription(_ record: RecordState, to writer: inout CSVRowWriter) {
        var body = fixed(record, .body)
        writer.openField()
        appendSentences(body.within(1...3), random: &body, to: &writer)
        if body.chance(0.2) {
            writer.append(RecordRenderer.stepsHeading)
            for step in 1...body.within(2...4) {
                writer.append(byte: 0x0A)
                writer.appendInteger(step)
                writer.append(RecordRenderer.stepSeparator)
                writer.append(body.element(of: Vocabulary.reproductionSteps))
            }
        }
        if body.chance(0.2) {
            writer.append(RecordRenderer.errorHeading)
            writer.append(body.element(of: Vocabulary.caseProblems))
            writer.append(RecordRenderer.errorCodePrefix)
            writer.appendInteger(body.within(400...599))
            writer.append(RecordRenderer.errorTail)
        }
        let updates = record.revision(CaseSlot.description.rawValue)
        if updates > 0 {
            for update in 1...updates {
                // Each update's text depends only on its position, so earlier updates never change.
                var note = DeterministicRandom(record.seed, 0x4_0000 + UInt64(update))
                writer.append(RecordRenderer.paragraphBreak)
                writer.append(RecordRenderer.updatePrefix)
                writer.appendInteger(update)
                writer.append(RecordRenderer.updateSeparator)
                writer.append(note.element(of: Vocabulary.caseUpdates))
                if note.chance(0.4) {
                    writer.append(byte: 0x20)
                    appendSentences(1, random: &note, to: &writer)
                }
            }
        }
        writer.closeField()
    }

    /// `Case.Language` values.
    private static let caseLanguages = Word.texts(["en_US", "en_US", "en_US", "de", "fr", "ja", "es", "pt_BR"])

    /// Introduces reproduction steps.
    private static let stepsHeading: [UInt8] = Array("\n\nSteps to reproduce:".utf8)

    /// Between a step number and its text.
    private static let stepSeparator: [UInt8] = Array(". ".utf8)

    /// Introduces a quoted error message.
    private static let errorHeading: [UInt8] = Array("\nError message: \"".utf8)

    /// Between error text and code.
    private static let errorCodePrefix: [UInt8] = Array(" (code ".utf8)

    /// Closes a quoted error message.
    private static let errorTail: [UInt8] = Array(")\"".utf8)

    /// Starts a case update note.
    private static let updatePrefix: [UInt8] = Array("Update #".utf8)

    /// Between an update number and its text.
    private static let updateSeparator: [UInt8] = Array(": ".utf8)
}
