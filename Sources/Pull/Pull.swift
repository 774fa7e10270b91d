/// Pull: fetches a CRM's full export from its vendor over HTTPS and backs it up as one snapshot.
///
/// Nouns (docs/EXPORTS.md defines the export layout; README.md the user's view):
/// - **Vendor connector**: speaks one vendor's export protocol (`salesforce`, `salesforce-export`, `dataverse`,
///   `directory`) and writes an export into a staging directory.
/// - **Pull**: one run of a connector for one source definition, ending in a committed snapshot or in nothing.
enum PullModule {}
