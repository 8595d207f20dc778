// Write the sweep's findings: create the ones not yet recorded, replace the others only while
// their stored version is the one the sweep read (a decision made meanwhile wins), and append
// each written finding's events. A finding is linked to the unit-month it is about.
// Params: $rows, each {finding_id, expected_version (null: create), unit_month_key, props,
// events: [{event_id, ...}]}.
UNWIND $rows AS row
MERGE (f:Finding {finding_id: row.finding_id})
ON CREATE SET f.version = null
// The write lock MERGE took is held: the version read next is the committed one.
SET f._lock = true
WITH f, row,
     (row.expected_version IS NULL AND f.version IS NULL)
     OR (row.expected_version IS NOT NULL AND f.version = row.expected_version) AS fresh
REMOVE f._lock
WITH f, row, fresh
WHERE fresh
SET f += row.props
WITH f, row
OPTIONAL MATCH (m:UnitMonth {key: row.unit_month_key})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (f)-[:ABOUT]->(m))
FOREACH (event IN row.events |
  CREATE (f)-[:HAS_EVENT]->(e:ReviewEvent)
  SET e = event
)
RETURN count(f) AS written
