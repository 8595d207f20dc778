// Upsert (Unit)-[:HAS_MONTH]->(UnitMonth): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Unit {unit_id: row.start_key})
MATCH (b:UnitMonth {key: row.end_key})
MERGE (a)-[r:HAS_MONTH]->(b)
SET r += row.props
