import Foundation

/// The text of a `Schedules/NAME.toml` that pulls from a (simulated) Salesforce org, for tests of pulls and schedules.
public struct ScheduleDefinitionText: Sendable {
    public var every = "0 2 1 * *"
    public var vault: URL
    public var writerKey: URL
    public var workDirectory: URL
    public var instanceURL: URL
    public var clientID: String
    public var clientSecretFile: URL
    public var caFile: URL
    public var objects = ["Account", "Contact"]

    public init(
        vault: URL, writerKey: URL, workDirectory: URL, instanceURL: URL, clientID: String, clientSecretFile: URL,
        caFile: URL
    ) {
        self.vault = vault
        self.writerKey = writerKey
        self.workDirectory = workDirectory
        self.instanceURL = instanceURL
        self.clientID = clientID
        self.clientSecretFile = clientSecretFile
        self.caFile = caFile
    }

    public var text: String {
        """
        every = "\(every)"
        vault = "\(vault.path)"
        writer_key = "\(writerKey.path)"
        work_dir = "\(workDirectory.path)"
        [source]
        vendor = "salesforce"
        instance_url = "\(instanceURL.absoluteString)"
        client_id = "\(clientID)"
        client_secret_file = "\(clientSecretFile.path)"
        ca_file = "\(caFile.path)"
        objects = [\(objects.map { "\"\($0)\"" }.joined(separator: ", "))]
        retries = 1

        """
    }
}
