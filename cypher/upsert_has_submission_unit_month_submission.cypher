// Upsert (UnitMonth)-[:HAS_SUBMISSION]->(Submission): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:UnitMonth {key: row.start_key})
MATCH (b:Submission {key: row.end_key})
MERGE (a)-[r:HAS_SUBMISSION]->(b)
SET r += row.props
