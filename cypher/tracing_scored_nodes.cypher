// Which parameter nodes did the current sweep store a score for (every unit), with the JSON of
// their checks?
// Params: $slots (slot groups of periods, as scores_read_unit_months takes them).
UNWIND $slots AS slot
MATCH (p:Parameter)
WHERE p.period IN slot.periods AND p[slot.stamp] = slot.sweep_id
RETURN p.key AS key, p.unit_id AS unit_id, p.period AS period, p.name AS name,
       p.value AS value, p[slot.expected] AS expected, p[slot.z] AS z,
       p[slot.score] AS score, p[slot.checks] AS checks
