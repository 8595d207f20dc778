// Current own scores of one unit's parameter nodes (0 where the sweep stored nothing), with the
// JSON of their checks.
UNWIND $slots AS slot
MATCH (p:Parameter)
WHERE p.unit_id = $unit_id AND p.period IN slot.periods
WITH p, slot, p[slot.stamp] = slot.sweep_id AS stored
RETURN p.key AS key, p.unit_id AS unit_id, p.period AS period, p.name AS name,
       p.value AS value,
       CASE WHEN stored THEN p[slot.expected] END AS expected,
       CASE WHEN stored THEN p[slot.z] END AS z,
       CASE WHEN stored THEN p[slot.score] ELSE 0.0 END AS score,
       CASE WHEN stored THEN p[slot.checks] END AS checks
