// Write parameter-node scores of a sweep into its slot, with the checks of the node (the rules
// and edge views whose target it is) as JSON ($prop names the slot's properties).
UNWIND $rows AS row
MERGE (p:Parameter {key: row.key})
  ON CREATE SET p.unit_id = row.unit_id, p.period = row.period, p.name = row.name
SET p[$prop.stamp] = $sweep_id,
    p[$prop.score] = row.score,
    p[$prop.expected] = row.expected,
    p[$prop.z] = row.z,
    p[$prop.checks] = row.checks
