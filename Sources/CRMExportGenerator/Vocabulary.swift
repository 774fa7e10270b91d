/// Picklist values and text fragments shared by the record renderers.
///
/// Picklists use the values of a standard Salesforce org (and its Developer Edition sample custom fields).
/// Free text is assembled from sentence parts, some of which carry commas, double quotes, accents or emoji.
enum Vocabulary {
    // MARK: - Picklists

    /// `Account.Industry`, `Lead.Industry`.
    static let industries = Word.texts([
        "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
        "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
        "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery",
        "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
        "Telecommunications", "Transportation", "Utilities", "Other",
    ])

    /// `Account.Type`.
    static let accountTypes = Word.texts([
        "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
        "Installation Partner", "Technology Partner", "Other",
    ])

    /// `Account.Rating`, `Lead.Rating`.
    static let ratings = Word.texts(["Hot", "Warm", "Cold"])

    /// `Account.Ownership`.
    static let ownerships = Word.texts(["Public", "Private", "Subsidiary", "Other"])

    /// `LeadSource` / `AccountSource`.
    static let leadSources = Word.texts([
        "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other", "Advertisement",
        "Employee Referral", "External Referral", "Trade Show", "Word of mouth", "Seminar - Internal",
    ])

    /// `Account.CustomerPriority__c`.
    static let customerPriorities = Word.texts(["High", "Medium", "Low"])

    /// `Account.SLA__c`.
    static let serviceLevels = Word.texts(["Gold", "Silver", "Platinum", "Bronze"])

    /// `Account.UpsellOpportunity__c`.
    static let upsellOpportunities = Word.texts(["Maybe", "No", "Yes"])

    /// `Contact.Salutation`, `Lead.Salutation`.
    static let salutations = Word.texts(["Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx."])

    /// `Contact.Title`, `Lead.Title`.
    static let titles = Word.texts([
        "CEO", "CFO", "CTO", "COO", "VP, Sales", "VP, Operations", "VP of Engineering", "Director, IT",
        "Director of Procurement", "Head of Customer Success", "Purchasing Manager", "Office Manager",
        "IT Manager", "Operations Manager", "Sales Manager", "Marketing Coordinator", "Senior Buyer",
        "Facilities Manager", "Controller", "Chief Revenue Officer", "Project Manager", "Business Analyst",
        "Administrative Assistant", "Software Engineer", "Account Executive", "General Counsel",
        "Geschäftsführer", "Directeur Général", "部長", "经理",
    ])

    /// `Contact.Department`.
    static let departments = Word.texts([
        "Finance", "IT", "Operations", "Procurement", "Sales", "Marketing", "Engineering", "Legal", "HR",
        "Customer Service", "Facilities", "Executive", "R&D", "Supply Chain",
    ])

    /// `Contact.Level__c`.
    static let contactLevels = Word.texts(["Primary", "Secondary", "Tertiary"])

    /// `Contact.Languages__c`.
    static let languages = Word.texts([
        "English", "English;Spanish", "German", "French", "Japanese", "Mandarin", "Portuguese", "Swedish",
        "English;French",
    ])

    /// `EmailBouncedReason`.
    static let bounceReasons = Word.texts([
        "550 5.1.1 <recipient>: Recipient address rejected: User unknown",
        "552 5.2.2 Mailbox full",
        "554 5.7.1 Message rejected, see \"https://support.example.com/spam\"",
    ])

    /// `Lead.Status`, in life-cycle order before the closing status.
    static let openLeadStatuses = Word.texts(["Open - Not Contacted", "Working - Contacted"])

    /// `Lead.Status` when converted.
    static let convertedLeadStatus = Array("Closed - Converted".utf8)

    /// `Lead.Status` when disqualified.
    static let unconvertedLeadStatus = Array("Closed - Not Converted".utf8)

    /// `Lead.ProductInterest__c`.
    static let productInterests = Word.texts([
        "GC1000 series", "GC5000 series", "GC3000 series", "Enterprise License", "Professional Services",
        "Premium Support",
    ])

    /// `Lead.CurrentGenerators__c`, `Opportunity.CurrentGenerators__c`.
    static let currentGenerators = Word.texts([
        "", "", "Caterpillar", "Hawkpower", "Fujitsu", "Mitsubishi", "John Deere", "Kohler, Generac",
    ])

    /// `Opportunity.StageName`, in pipeline order; the last two are the closed stages.
    static let stages = Word.texts([
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
        "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost",
    ])

    /// `Opportunity.Probability` per stage.
    static let stageProbabilities = [10, 10, 20, 50, 60, 70, 75, 90, 100, 0]

    /// `Opportunity.ForecastCategory` API values, matching ``forecastCategoryNames``.
    static let forecastCategories = Word.texts(["Pipeline", "BestCase", "Commit", "Closed", "Omitted"])

    /// `Opportunity.ForecastCategoryName` labels.
    static let forecastCategoryNames = Word.texts(["Pipeline", "Best Case", "Commit", "Closed", "Omitted"])

    /// `Opportunity.Type`.
    static let opportunityTypes = Word.texts([
        "New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement",
        "Existing Customer - Downgrade",
    ])

    /// Products and services named in opportunity names.
    static let products = Word.texts([
        "Enterprise License", "Annual Support Renewal", "Data Migration Services", "GenWatt Diesel 1000kW",
        "GenWatt Propane 500kW", "Installation: Industrial - High", "SLA: Gold", "Onboarding Package",
        "Premium Add-On", "Consulting Retainer", "Hardware Refresh", "Cloud Storage 50 TB", "Training (5 days)",
        "Multi-Year Subscription", "Field Service Upgrade",
    ])

    /// `Opportunity.NextStep`.
    static let nextSteps = Word.texts([
        "Send proposal", "Schedule demo with IT", "Follow up after budget review", "Negotiate terms, legal review",
        "Awaiting signature", "Intro call w/ CFO", "Prepare ROI analysis", "Site visit next week",
        "Send revised quote (10% discount)", "Check in after holidays", "Technical deep-dive", "",
    ])

    /// `Opportunity.DeliveryInstallationStatus__c`.
    static let deliveryStatuses = Word.texts(["Yet to begin", "In progress", "Completed"])

    /// `Opportunity.MainCompetitors__c`.
    static let competitors = Word.texts([
        "Caterpillar", "Hawkpower", "Fujitsu, Mitsubishi", "Kohler", "Generac", "In-house build", "",
    ])

    /// `Case.Type`.
    static let caseTypes = Word.texts(["Mechanical", "Electrical", "Electronic", "Structural", "Other",
                                       "Problem", "Feature Request", "Question"])

    /// `Case.Reason`.
    static let caseReasons = Word.texts([
        "Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback",
        "Other", "User didn't attend training", "Complex functionality", "Existing problem",
        "Instructions not clear", "New problem",
    ])

    /// `Case.Origin`.
    static let caseOrigins = Word.texts(["Phone", "Email", "Web"])

    /// `Case.Priority`, `Task.Priority` in ascending urgency.
    static let priorities = Word.texts(["Low", "Medium", "High"])

    /// `Case.Product__c`.
    static let caseProducts = Word.texts([
        "GC1040", "GC1060", "GC3020", "GC3040", "GC3060", "GC5020", "GC5040", "GC5060", "GC1020",
    ])

    /// `Case.PotentialLiability__c`, `Case.SLAViolation__c`.
    static let yesNo = Word.texts(["No", "Yes"])

    /// Case subject prefixes.
    static let caseProblems = Word.texts([
        "Cannot log in to the portal", "Invoice shows wrong amount", "Generator does not start",
        "Sync with ERP fails", "Shipment delayed", "Request for W-9 form", "Password reset not received",
        "Error \"403 Forbidden\" on export", "Performance degradation after update", "Data missing from report",
        "Duplicate charges on card", "Question about contract renewal", "Feature request: bulk edit",
        "Mobile app crashes on launch", "Unit overheating", "Seeking guidance on electrical wiring installation",
        "Noise from cooling fan", "API rate limit exceeded", "Cannot add new users", "Wrong address on order",
    ])

    /// Case subject qualifiers appended to a problem.
    static let caseQualifiers = Word.texts([
        "", "", "", "", "", "", "", " - urgent", " (again)", " for EU site", " since Monday", " – escalated by customer",
        " 🔥", " after migration", ", multiple users affected", " [ref:_00D5g00001:ref]",
    ])

    /// `Task.Subject` of calls and to-dos.
    static let taskSubjects = Word.texts([
        "Call", "Send Letter", "Send Quote", "Other", "Follow up on proposal", "Schedule kickoff",
        "Review contract", "Prepare QBR deck", "Check in", "Renewal discussion", "Demo follow-up",
        "Collect feedback", "Update billing details",
    ])

    /// `Task.Subject` prefixes of logged e-mails.
    static let emailSubjects = Word.texts([
        "Email: Re: Your quote", "Email: Following up", "Email: Meeting notes", "Email: Re: Renewal",
        "Email: Introduction", "Email: Fwd: Invoice", "Email: Re: Re: Pricing question", "Email: Thank you!",
    ])

    /// `Task.Status` in life-cycle order.
    static let taskStatuses = Word.texts(["Not Started", "In Progress", "Completed"])

    /// `Task.Status` of stalled tasks.
    static let stalledTaskStatuses = Word.texts(["Waiting on someone else", "Deferred"])

    /// `Task.CallDisposition`.
    static let callDispositions = Word.texts([
        "Left voicemail", "Connected - interested", "Connected, not interested", "No answer", "Wrong number",
        "Call back next week",
    ])

    /// `Task.CallType`.
    static let callTypes = Word.texts(["Outbound", "Inbound", "Internal"])

    // MARK: - Free text

    /// Sentence subjects.
    static let sentenceSubjects = Word.texts([
        "The customer", "Their IT team", "Procurement", "The CFO", "Our champion", "The new VP of Sales",
        "Legal", "The regional office", "Their operations lead", "Management", "The project team",
        "Our contact", "The billing department", "Their CTO", "The end users",
    ])

    /// Sentence verbs.
    static let sentenceVerbs = Word.texts([
        "asked about", "is evaluating", "complained about", "confirmed", "requested a quote for",
        "wants to revisit", "is happy with", "raised concerns about", "approved", "needs more time for",
        "escalated", "mentioned", "is comparing us with a competitor on",
    ])

    /// Sentence objects.
    static let sentenceObjects = Word.texts([
        "the renewal terms", "pricing for the premium tier", "the \"quick start\" package",
        "integration with SAP, Oracle and Workday", "the SLA response times", "our onboarding process",
        "the invoice from last quarter", "data residency in the EU", "a 3-year commitment",
        "the new API limits", "delivery dates", "training for 40 users", "support coverage, 24/7",
        "the proof of concept", "the security questionnaire (SOC 2, ISO 27001)", "volume discounts",
        "moving to the cloud", "the migration plan", "single sign-on", "the budget for next year",
    ])

    /// Sentence endings, including their final punctuation.
    static let sentenceEndings = Word.texts([
        ".", ".", ".", ".", ".", ".", ".", ".", ".", ".", " before end of quarter.", " this week.",
        ", see notes from the last call.", " – follow up needed.", "; decision expected next month.", "!",
        ", as discussed on the phone.", " (per email).", ". Not a priority right now.",
        ". They said: \"we'll get back to you\".", "…", " 👍", ".", ".",
    ])

    /// Salutations opening logged e-mails.
    static let emailGreetings = Word.texts(["Hi ", "Hello ", "Dear ", "Good morning ", "Hallo ", "Bonjour "])

    /// Closing lines of logged e-mails.
    static let emailClosings = Word.texts([
        "Best regards,", "Thanks,", "Kind regards,", "Cheers,", "Viele Grüße,", "Cordialement,", "Best,",
    ])

    /// Update notes appended to case descriptions.
    static let caseUpdates = Word.texts([
        "Customer called again, issue persists.", "Sent troubleshooting steps via email.",
        "Escalated to tier 2 support.", "Engineering reproduced the issue.", "Workaround provided; waiting for "
            + "confirmation.", "Customer confirmed the fix works.", "Replacement part shipped (tracking # pending).",
        "Logs attached: \"server.log\", \"sync.log\".", "Scheduled on-site visit.", "No response from customer.",
        "Patch 4.2.1 deployed to customer's environment.", "Closed after 3 reminders.",
    ])

    /// Steps-to-reproduce lines of case descriptions.
    static let reproductionSteps = Word.texts([
        "Open the dashboard", "Click \"Export\"", "Select all records", "Log in as an admin user",
        "Wait 5 minutes", "Restart the unit", "Change the billing address", "Run the nightly sync",
        "Open the mobile app", "Enter a value > 10,000",
    ])
}
