// Upsert (Lab)-[:ISSUED]->(TestReport): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Lab {lab_id: row.start_key})
MATCH (b:TestReport {report_id: row.end_key})
MERGE (a)-[r:ISSUED]->(b)
SET r += row.props
