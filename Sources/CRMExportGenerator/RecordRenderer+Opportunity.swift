extension RecordRenderer {
    /// The mutable field slots of an Opportunity.
    enum OpportunitySlot: Int, CaseIterable {
        case owner, stage, amount, closeDate, nextStep, description, lastActivity, delivery, competitors, quantity

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 5
            case .stage: 30
            case .amount: 12
            case .closeDate: 12
            case .nextStep: 12
            case .description: 6
            case .lastActivity: 15
            case .delivery: 4
            case .competitors: 3
            case .quantity: 3
            }
        }
    }

    /// The exported Opportunity fields.
    static let opportunityFieldNames = [
        "Id", "IsDeleted", "AccountId", "IsPrivate", "Name", "Description", "StageName", "Amount", "Probability",
        "ExpectedRevenue", "TotalOpportunityQuantity", "CloseDate", "Type", "NextStep", "LeadSource", "IsClosed",
        "IsWon", "ForecastCategory", "ForecastCategoryName", "CampaignId", "HasOpportunityLineItem", "Pricebook2Id",
        "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp",
        "LastActivityDate", "FiscalQuarter", "FiscalYear", "Fiscal", "DeliveryInstallationStatus__c",
        "TrackingNumber__c", "OrderNumber__c", "CurrentGenerators__c", "MainCompetitors__c",
    ]

    /// Index of `Closed Won` in ``Vocabulary/stages``.
    private static let closedWonStage = 8

    /// Index of `Closed Lost` in ``Vocabulary/stages``.
    private static let closedLostStage = 9

    /// Returns the stage index of an opportunity: its starting stage advanced by the stage slot's revision.
    func opportunityStage(_ record: RecordState) -> Int {
        var classification = fixed(record, .classification)
        let start = classification.below(3)
        let won = classification.chance(0.45)
        let losesEarly = classification.chance(0.15)
        let steps = record.revision(OpportunitySlot.stage.rawValue)
        if losesEarly && steps >= 3 {
            return RecordRenderer.closedLostStage
        }
        let stage = start + steps
        if stage < RecordRenderer.closedWonStage {
            return stage
        }
        return won ? RecordRenderer.closedWonStage : RecordRenderer.closedLostStage
    }

    /// Writes one Opportunity row.
    func writeOpportunity(_ record: RecordState, to writer: inout CSVRowWriter) {
        var extras = fixed(record, .extras)
        var subject = fixed(record, .subject)
        writer.field(id: record.number, keyPrefix: ExportObject.opportunity.keyPrefix)
        writer.field(false)
        if record.accountNumber != 0 {
            writer.field(id: record.accountNumber, keyPrefix: ExportObject.account.keyPrefix)
        } else {
            writer.emptyField()
        }
        writer.field(extras.chance(0.02))
        writer.openField()
        if let company = company(ofAccount: record.accountNumber) {
            appendName(of: company, to: &writer)
            writer.append(RecordRenderer.nameSeparator)
        }
        writer.append(subject.element(of: Vocabulary.products))
        if subject.chance(0.3) {
            writer.append(RecordRenderer.yearSeparator)
            writer.appendInteger(CivilCalendar.date(days: createdDay(record)).year + subject.below(2))
        }
        writer.closeField()
        var description = slot(record, OpportunitySlot.description.rawValue)
        writeSentences(description.chance(0.65) ? 0 : description.within(1...2), random: &description, to: &writer)

        let stage = opportunityStage(record)
        let probability = Vocabulary.stageProbabilities[stage]
        writer.field(Vocabulary.stages[stage])
        var size = fixed(record, .size)
        let baseAmount = size.element(of: RecordRenderer.amountSteps) * size.within(1...40)
        var amountSlot = slot(record, OpportunitySlot.amount.rawValue)
        let amount = record.revision(OpportunitySlot.amount.rawValue) == 0
            ? baseAmount
            : baseAmount / 100 * amountSlot.within(70...130)
        writer.openField()
        writer.appendAmount(amount)
        writer.closeField()
        writer.field(integer: probability)
        writer.openField()
        writer.appendAmount(amount * probability / 100)
        writer.closeField()
        var quantity = slot(record, OpportunitySlot.quantity.rawValue)
        writer.openField()
        if quantity.chance(0.4) {
            writer.appendInteger(quantity.within(1...250))
            writer.append(RecordRenderer.decimalZero)
        }
        writer.closeField()

        var close = slot(record, OpportunitySlot.closeDate.rawValue)
        let closeDay = createdDay(record) + 30 + extras.below(150)
            + record.revision(OpportunitySlot.closeDate.rawValue) * 30 + close.below(14)
        writer.field(day: closeDay)
        writer.field(subject.element(of: Vocabulary.opportunityTypes))
        var nextStep = slot(record, OpportunitySlot.nextStep.rawValue)
        writer.field(nextStep.element(of: Vocabulary.nextSteps))
        writer.field(subject.element(of: Vocabulary.leadSources))
        let closed = stage >= RecordRenderer.closedWonStage
        writer.field(closed)
        writer.field(stage == RecordRenderer.closedWonStage)
        let forecast = probability == 0 ? 4 : probability == 100 ? 3 : probability >= 90 ? 2 : probability >= 70 ? 1 : 0
        writer.field(Vocabulary.forecastCategories[forecast])
        writer.field(Vocabulary.forecastCategoryNames[forecast])
        if extras.chance(0.3) {
            writer.field(id: campaignNumbers[extras.below(campaignNumbers.count)],
                         keyPrefix: RecordRenderer.campaignKeyPrefix)
        } else {
            writer.emptyField()
        }
        let hasLineItems = extras.chance(0.4)
        writer.field(hasLineItems)
        if hasLineItems {
            writer.field(id: RecordRenderer.standardPricebookNumber, keyPrefix: RecordRenderer.pricebookKeyPrefix)
        } else {
            writer.emptyField()
        }
        writeOwner(record, slot: OpportunitySlot.owner.rawValue, to: &writer)
        writeAudit(record, to: &writer)
        var activity = slot(record, OpportunitySlot.lastActivity.rawValue)
        let activityRevision = record.revision(OpportunitySlot.lastActivity.rawValue)
        if activityRevision == 0 && activity.chance(0.5) {
            writer.emptyField()
        } else {
            writeDay(createdDay(record) + activityRevision * 14 + activity.below(14), notAfter: record, to: &writer)
        }
        let closeDate = CivilCalendar.date(days: closeDay)
        let quarter = (closeDate.month - 1) / 3 + 1
        writer.field(integer: quarter)
        writer.field(integer: closeDate.year)
        writer.openField()
        writer.appendInteger(closeDate.year)
        writer.append(byte: 0x20)
        writer.appendInteger(quarter)
        writer.closeField()
        var delivery = slot(record, OpportunitySlot.delivery.rawValue)
        writer.field(stage == RecordRenderer.closedWonStage ? delivery.element(of: Vocabulary.deliveryStatuses) : [])
        writer.openField()
        if extras.chance(0.2) {
            appendPattern(RecordRenderer.trackingPattern, areaCode: [], random: &extras, to: &writer)
        }
        writer.closeField()
        writer.openField()
        if extras.chance(0.3) {
            writer.appendInteger(extras.within(100_000...999_999))
        }
        writer.closeField()
        writer.field(extras.element(of: Vocabulary.currentGenerators))
        var competitors = slot(record, OpportunitySlot.competitors.rawValue)
        writer.field(competitors.element(of: Vocabulary.competitors))
    }

    /// Between account name and product in an opportunity name.
    private static let nameSeparator: [UInt8] = Array(" - ".utf8)

    /// Between product and year in an opportunity name.
    private static let yearSeparator: [UInt8] = Array(" FY".utf8)

    /// The decimal tail of a quantity.
    private static let decimalZero: [UInt8] = Array(".00".utf8)

    /// Amount granularities.
    private static let amountSteps = [500, 1_000, 2_500, 5_000, 10_000, 25_000]

    /// The pattern of `TrackingNumber__c`.
    private static let trackingPattern: [UInt8] = Array("1Z*##@@#########".utf8)
}
