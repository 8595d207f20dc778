// Clear the score slots that deleted sweeps left on unit-month and parameter nodes ($slots: the
// property names of each slot), in batches so any scale fits in transaction memory; runs as an
// auto-commit query (CALL ... IN TRANSACTIONS needs one).
MATCH (n:UnitMonth|Parameter)
UNWIND $slots AS prop
WITH n, prop
WHERE n[prop.stamp] IN $sweep_ids
CALL (n, prop) {
  SET n[prop.stamp] = null,
      n[prop.score] = null,
      n[prop.flagged] = null,
      n[prop.top_parameter] = null,
      n[prop.result] = null,
      n[prop.expected] = null,
      n[prop.z] = null,
      n[prop.checks] = null
} IN TRANSACTIONS OF 10000 ROWS
