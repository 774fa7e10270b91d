/// Replica: proves a backup works by rebuilding the CRM as a SQLite database from a snapshot's export.
enum ReplicaModule {}
