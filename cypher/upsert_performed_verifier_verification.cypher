// Upsert (Verifier)-[:PERFORMED]->(Verification): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Verifier {verifier_id: row.start_key})
MATCH (b:Verification {verification_id: row.end_key})
MERGE (a)-[r:PERFORMED]->(b)
SET r += row.props
