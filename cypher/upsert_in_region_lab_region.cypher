// Upsert (Lab)-[:IN_REGION]->(Region): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Lab {lab_id: row.start_key})
MATCH (b:Region {region_code: row.end_key})
MERGE (a)-[r:IN_REGION]->(b)
SET r += row.props
