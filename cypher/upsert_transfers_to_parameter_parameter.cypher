// Upsert (Parameter)-[:TRANSFERS_TO]->(Parameter): one relationship per row, merged on its edge_id (one edge per id);
// both ends are found by their unique keys. Params: $rows [{start_key, end_key, edge_id, props}].
UNWIND $rows AS row
MATCH (a:Parameter {key: row.start_key})
MATCH (b:Parameter {key: row.end_key})
MERGE (a)-[r:TRANSFERS_TO {edge_id: row.edge_id}]->(b)
SET r += row.props
