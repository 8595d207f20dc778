// Which unit-months does the current sweep flag, strongest first?
// One row per flagged unit-month: unit, month, score and top parameter. Each month's current
// slot is read from the current sweep's pointer, so an analyst sets only $limit.
// Params: $limit.
OPTIONAL MATCH (s:Sweep {current: true})
// The pointer is kept as parallel lists: pointer_periods[i] is in slot pointer_slots[i],
// written by sweep pointer_sweep_ids[i].
WITH s, range(0, size(coalesce(s.pointer_periods, [])) - 1) AS entries
UNWIND [i IN entries | {
  period: s.pointer_periods[i], slot: s.pointer_slots[i], sweep_id: s.pointer_sweep_ids[i]
}] AS current
// A slot's properties are named <property>_<slot> (app/infrastructure/stores/neo4j/
// sweep_results.py). A value counts only where the slot's stamp is the current sweep of that
// month.
MATCH (m:UnitMonth {period: current.period})
WHERE m['sweep_' + current.slot] = current.sweep_id
  AND m['flagged_' + current.slot] = true
RETURN m.unit_id AS unit_id, m.period AS period, m['score_' + current.slot] AS score,
       m['top_parameter_' + current.slot] AS top_parameter
ORDER BY score DESC, unit_id, period
LIMIT $limit
