// How has one parameter of a unit moved month by month, and how did the current sweep score it?
// Per month: the value, the expected value, z and score of the parameter node (score 0 where
// the sweep stored nothing for it) and whether the unit-month is flagged. Reads each month's
// current slot from the current sweep's pointer. Params: $unit_id, $name (e.g. 'coal_carbon_pct').
OPTIONAL MATCH (s:Sweep {current: true})
// The pointer is kept as parallel lists: pointer_periods[i] is in slot pointer_slots[i],
// written by sweep pointer_sweep_ids[i].
WITH s, range(0, size(coalesce(s.pointer_periods, [])) - 1) AS entries
WITH [i IN entries | {
  period: s.pointer_periods[i], slot: s.pointer_slots[i], sweep_id: s.pointer_sweep_ids[i]
}] AS pointer
MATCH (:Unit {unit_id: $unit_id})-[:HAS_MONTH]->(m:UnitMonth)
      -[:HAS_PARAMETER]->(p:Parameter {name: $name})
WITH m, p, [e IN pointer WHERE e.period = m.period][0] AS current
// A slot's properties are named <property>_<slot> (app/infrastructure/stores/neo4j/
// sweep_results.py). A value counts only where the slot's stamp is the current sweep of that
// month.
WITH m, p, current.slot AS slot,
     p['sweep_' + current.slot] = current.sweep_id AS node_scored,
     m['sweep_' + current.slot] = current.sweep_id AS month_scored
RETURN m.period AS period, p.value AS value,
       CASE WHEN node_scored THEN p['expected_' + slot] END AS expected,
       CASE WHEN node_scored THEN p['z_' + slot] END AS z,
       CASE WHEN node_scored THEN p['score_' + slot] ELSE 0.0 END AS score,
       CASE WHEN month_scored THEN m['flagged_' + slot] END AS month_flagged,
       CASE WHEN month_scored THEN m['top_parameter_' + slot] END AS month_top_parameter
ORDER BY period
