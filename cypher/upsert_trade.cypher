// Upsert Trade nodes: one per row, merged on the unique trade_id; other values become
// properties (a null removes a property the new data no longer has). Params: $rows [{key, props}].
UNWIND $rows AS row
MERGE (n:Trade {trade_id: row.key})
SET n += row.props
