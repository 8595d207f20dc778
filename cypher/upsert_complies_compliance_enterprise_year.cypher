// Upsert (Compliance)-[:COMPLIES]->(EnterpriseYear): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Compliance {key: row.start_key})
MATCH (b:EnterpriseYear {key: row.end_key})
MERGE (a)-[r:COMPLIES]->(b)
SET r += row.props
