// What does tracing need to explain one unit-month? In one round trip: the current sweep, and for
// each month of the window (inside the caller's scope) the UnitMonth's contract properties, the
// verifier of its enterprise-year, the result the current sweep stored for it, and the parameter
// nodes that sweep stored scores on (parameters it did not write score 0 and take their value
// from the UnitMonth); the checks only of the month asked about ($period), the one a trace
// explains. The current sweep's pointer, as parallel lists, names each month's slot, so only
// that slot's properties are read.
// Params: $keys (UnitMonth keys of the window), $period, $columns (UnitMonth properties to
// return, in order), $slots (per slot: name and property names), $units_visible,
// $province_code, $region_code.
OPTIONAL MATCH (s:Sweep {current: true})
WITH s.sweep_id AS sweep_id,
     coalesce(s.pointer_periods, []) AS periods,
     coalesce(s.pointer_slots, []) AS slot_names,
     coalesce(s.pointer_sweep_ids, []) AS stamps
UNWIND $keys AS month_key
MATCH (m:UnitMonth {key: month_key})
WHERE $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
WITH sweep_id, m, slot_names, stamps,
     [i IN range(0, size(periods) - 1) WHERE periods[i] = m.period][0] AS at
WITH sweep_id, m, stamps[at] AS stamp,
     head([slot IN $slots WHERE slot.name = slot_names[at]]) AS slot
OPTIONAL MATCH (:EnterpriseYear {key: m.enterprise_id + '|' + substring(m.period, 0, 4)})
               <-[:VERIFIES]-(v:Verification)
WITH sweep_id, m, stamp, slot, head(collect(v.verifier_id)) AS verifier_id
OPTIONAL MATCH (m)-[:HAS_PARAMETER]->(p:Parameter)
WHERE p[slot.stamp] = stamp
WITH sweep_id, m, stamp, slot, verifier_id,
     collect({key: p.key, name: p.name, value: p.value, score: p[slot.score],
              expected: p[slot.expected], z: p[slot.z],
              checks: CASE WHEN m.period = $period THEN p[slot.checks] END}) AS parameters
RETURN sweep_id,
       [column IN $columns | m[column]] AS month,
       verifier_id,
       CASE WHEN m[slot.stamp] = stamp THEN m[slot.result] END AS result,
       parameters
