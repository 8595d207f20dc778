// Upsert (Region)-[:PART_OF]->(Region): one relationship per row, merged on its two ends;
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, props}].
UNWIND $rows AS row
MATCH (a:Region {region_code: row.start_key})
MATCH (b:Region {region_code: row.end_key})
MERGE (a)-[r:PART_OF]->(b)
SET r += row.props
