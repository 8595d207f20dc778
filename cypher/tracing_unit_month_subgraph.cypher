// What does tracing need to explain one unit-month? In one round trip: the current sweep's
// per-period slot pointer, and for each month of the window (inside the caller's scope) the
// UnitMonth's properties, the verifier of its enterprise-year, and every parameter node with
// the score properties of both slots (the caller keeps the slot the pointer names).
// Params: $keys (UnitMonth keys of the window), $slots (per slot: name and property names),
// $units_visible, $province_code, $region_code.
OPTIONAL MATCH (s:Sweep {current: true})
WITH s.pointer_json AS pointer
UNWIND $keys AS month_key
MATCH (m:UnitMonth {key: month_key})
WHERE $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
OPTIONAL MATCH (:EnterpriseYear {key: m.enterprise_id + '|' + substring(m.period, 0, 4)})
               <-[:VERIFIES]-(v:Verification)
WITH pointer, m, head(collect(v.verifier_id)) AS verifier_id
OPTIONAL MATCH (m)-[:HAS_PARAMETER]->(p:Parameter)
WITH pointer, m, verifier_id,
     collect({key: p.key, name: p.name, value: p.value,
              slots: [slot IN $slots | {slot: slot.name, stamp: p[slot.stamp],
                                        score: p[slot.score], expected: p[slot.expected],
                                        z: p[slot.z], edges: p[slot.edges]}]}) AS parameters
RETURN pointer, properties(m) AS month, verifier_id, parameters
