// Write unit-month results of a sweep into its slot ($prop names the slot's properties): the
// score, flag and root parameter as properties Browser can show, the whole result as JSON.
UNWIND $rows AS row
MERGE (um:UnitMonth {key: row.key})
  ON CREATE SET um.unit_id = row.unit_id, um.period = row.period
SET um[$prop.stamp] = $sweep_id,
    um[$prop.score] = row.score,
    um[$prop.flagged] = row.flagged,
    um[$prop.top_parameter] = row.top_parameter,
    um[$prop.result] = row.result
