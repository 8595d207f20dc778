// Upsert (Unit)-[:OWNED_BY]->(Enterprise): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Unit {unit_id: row.start_key})
MATCH (b:Enterprise {enterprise_id: row.end_key})
MERGE (a)-[r:OWNED_BY]->(b)
SET r += row.props
