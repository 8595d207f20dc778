// Upsert (Trade)-[:BOUGHT]->(Enterprise): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Trade {trade_id: row.start_key})
MATCH (b:Enterprise {enterprise_id: row.end_key})
MERGE (a)-[r:BOUGHT]->(b)
SET r += row.props
