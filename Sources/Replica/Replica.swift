/// Replica: proves a backup works by rebuilding the CRM as a SQLite database from a snapshot's export, checking it,
/// and recording the result in the vault (a drill); and compares exports record by record (diff, history).
///
/// Nouns:
/// - **Replica**: one SQLite file; one **table** per exported object, named after its CSV file, columns named exactly
///   as the CSV header, `Id` the primary key, references as foreign keys; plus the `crmvault_*` tables that describe it
///   (``ReplicaCatalog``).
/// - **Scan** and **load**: the two passes over each CSV. The scan learns what every column's values allow (types,
///   Salesforce key prefixes); the load inserts the rows with the types chosen from it.
/// - **Column format**: how a column's values are stored and written back (``ColumnFormat``); typed only when every
///   value round-trips exactly.
/// - **Cell digest**: an order-independent digest of an object's cells, computed while parsing and again from what
///   SQLite gives back (``CellDigest``, docs/FORMAT.md §9.1).
/// - **Check**: one comparison made on every replica (``ReplicaCheck``); a failed one names the object and column.
/// - **Drill**: restore, replica and checks in a temporary place, the result signed into the vault's chain.
enum ReplicaModule {}
