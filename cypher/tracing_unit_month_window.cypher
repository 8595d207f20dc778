// What does tracing need to explain one unit-month? In one round trip: the current sweep and
// its per-period slot pointer, and for each month of the window (inside the caller's scope) the
// UnitMonth's properties, the verifier of its enterprise-year, and the parameter nodes a sweep
// stored scores on, with the score properties of both slots (the caller keeps the slot the
// pointer names; parameters no sweep wrote score 0 and take their value from the UnitMonth);
// the checks only of the month asked about ($period), the one a trace explains.
// Params: $keys (UnitMonth keys of the window), $period, $slots (per slot: name and property names),
// $units_visible, $province_code, $region_code.
OPTIONAL MATCH (s:Sweep {current: true})
WITH s.sweep_id AS sweep_id, s.pointer_json AS pointer
UNWIND $keys AS month_key
MATCH (m:UnitMonth {key: month_key})
WHERE $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
OPTIONAL MATCH (:EnterpriseYear {key: m.enterprise_id + '|' + substring(m.period, 0, 4)})
               <-[:VERIFIES]-(v:Verification)
WITH sweep_id, pointer, m, head(collect(v.verifier_id)) AS verifier_id
OPTIONAL MATCH (m)-[:HAS_PARAMETER]->(p:Parameter)
WHERE any(slot IN $slots WHERE p[slot.stamp] IS NOT NULL)
WITH sweep_id, pointer, m, verifier_id,
     collect({key: p.key, name: p.name, value: p.value,
              slots: [slot IN $slots | {slot: slot.name, stamp: p[slot.stamp],
                                        score: p[slot.score], expected: p[slot.expected],
                                        z: p[slot.z],
                                        checks: CASE WHEN m.period = $period
                                                THEN p[slot.checks] END}]}) AS parameters
RETURN sweep_id, pointer, properties(m) AS month, verifier_id, parameters
