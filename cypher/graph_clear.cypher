// Delete every node and relationship, in batches so a national-scale graph fits in memory.
// Runs as an auto-commit query (CALL ... IN TRANSACTIONS needs one); keeps the schema.
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
