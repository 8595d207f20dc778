// Upsert Verification nodes: one per row, merged on the unique verification_id; other values become
// properties (a null removes a property the new data no longer has). Params: $rows [{key, props}].
UNWIND $rows AS row
MERGE (n:Verification {verification_id: row.key})
SET n += row.props
