// Upsert EnterpriseYear nodes: one per row, merged on the unique key; other values become
// properties (a null removes a property the new data no longer has). Params: $rows [{key, props}].
UNWIND $rows AS row
MERGE (n:EnterpriseYear {key: row.key})
SET n += row.props
