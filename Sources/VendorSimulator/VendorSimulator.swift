/// VendorSimulator: a CRM vendor's export API (Salesforce Bulk API 2.0 and Data Export, Dataverse Web API)
/// served over HTTPS on 127.0.0.1 from a generated org, with scripted faults, for the demo and the tests.
enum VendorSimulatorModule {}
