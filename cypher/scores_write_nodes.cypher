// Write non-trivial parameter-node scores of a sweep into its slot, with the node's anomalous
// incoming edges as JSON ($prop names the slot's properties).
UNWIND $rows AS row
MERGE (p:Parameter {key: row.key})
  ON CREATE SET p.unit_id = row.unit_id, p.period = row.period, p.name = row.name
SET p[$prop.stamp] = $sweep_id,
    p[$prop.score] = row.score,
    p[$prop.expected] = row.expected,
    p[$prop.z] = row.z,
    p[$prop.edges] = row.edges
