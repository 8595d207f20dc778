// Upsert (Enterprise)-[:MEMBER_OF]->(Group): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Enterprise {enterprise_id: row.start_key})
MATCH (b:Group {group_id: row.end_key})
MERGE (a)-[r:MEMBER_OF]->(b)
SET r += row.props
