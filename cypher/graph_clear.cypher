// Delete every node and relationship, 1,000 nodes a transaction: a node takes its properties
// and relationships with it, and 10,000 at a time overran the transaction memory of a 1 GB heap
// on a medium graph.
// Runs as an auto-commit query (CALL ... IN TRANSACTIONS needs one); keeps the schema.
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS
