// Which unit-months does the current sweep flag, strongest first?
// One row per flagged unit-month: unit, month, score and top parameter. Each month's current
// slot is read from the current sweep's pointer, so an analyst sets only $limit.
// Params: $limit.
OPTIONAL MATCH (s:Sweep {current: true})
// pointer_json is {"<period>": {"fingerprint": …, "slot": "s0", "sweep_id": …}, …}. Cypher
// has no JSON parser, so each period's entry is cut out as text (split on } then on ").
WITH [part IN split(coalesce(s.pointer_json, ''), '}') | split(part, '"')] AS parts
UNWIND [t IN parts WHERE size(t) > 3 | {
  period: t[1],
  slot: [i IN range(0, size(t) - 3) WHERE t[i] = 'slot' | t[i + 2]][0],
  sweep_id: [i IN range(0, size(t) - 3) WHERE t[i] = 'sweep_id' | t[i + 2]][0]
}] AS current
// A slot's properties are named <property>_<slot> (app/stores/neo4j/scoring.py). A value
// counts only where the slot's stamp is the current sweep of that month.
MATCH (m:UnitMonth {period: current.period})
WHERE m['sweep_' + current.slot] = current.sweep_id
  AND m['flagged_' + current.slot] = true
RETURN m.unit_id AS unit_id, m.period AS period, m['score_' + current.slot] AS score,
       m['top_parameter_' + current.slot] AS top_parameter
ORDER BY score DESC, unit_id, period
LIMIT $limit
