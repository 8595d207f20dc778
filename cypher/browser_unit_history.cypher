// How has one parameter of a unit moved month by month, and how did the current sweep score it?
// Per month: the value, the expected value, z and score of the parameter node (score 0 where
// the sweep stored nothing for it) and whether the unit-month is flagged. Reads each month's
// current slot from the current sweep's pointer. Params: $unit_id, $name (e.g. 'coal_carbon_pct').
OPTIONAL MATCH (s:Sweep {current: true})
// pointer_json is {"<period>": {"fingerprint": …, "slot": "s0", "sweep_id": …}, …}. Cypher
// has no JSON parser, so each period's entry is cut out as text (split on } then on ").
WITH [part IN split(coalesce(s.pointer_json, ''), '}') | split(part, '"')] AS parts
WITH [t IN parts WHERE size(t) > 3 | {
  period: t[1],
  slot: [i IN range(0, size(t) - 3) WHERE t[i] = 'slot' | t[i + 2]][0],
  sweep_id: [i IN range(0, size(t) - 3) WHERE t[i] = 'sweep_id' | t[i + 2]][0]
}] AS pointer
MATCH (:Unit {unit_id: $unit_id})-[:HAS_MONTH]->(m:UnitMonth)
      -[:HAS_PARAMETER]->(p:Parameter {name: $name})
WITH m, p, [e IN pointer WHERE e.period = m.period][0] AS current
// A slot's properties are named <property>_<slot> (app/stores/neo4j/scoring.py). A value
// counts only where the slot's stamp is the current sweep of that month.
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
