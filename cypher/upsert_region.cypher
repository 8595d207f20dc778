// Upsert Region nodes: one per row, merged on the unique region_code; other values become
// properties (a null removes a property the new data no longer has). Params: $rows [{key, props}].
UNWIND $rows AS row
MERGE (n:Region {region_code: row.key})
SET n += row.props
