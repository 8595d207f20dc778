// Upsert (Parameter)-[:AGGREGATES_TO]->(EnterpriseYear): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Parameter {key: row.start_key})
MATCH (b:EnterpriseYear {key: row.end_key})
MERGE (a)-[r:AGGREGATES_TO]->(b)
SET r += row.props
