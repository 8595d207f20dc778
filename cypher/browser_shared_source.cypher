// Is this lab a shared source? Its units, and the months of theirs the current sweep flags.
// One row per unit whose coal carbon content the lab's test reports evidence: the months they
// cover, and the flagged ones with score and top parameter (read from each month's current
// slot, found from the current sweep's pointer). Params: $lab_id.
OPTIONAL MATCH (s:Sweep {current: true})
// pointer_json is {"<period>": {"fingerprint": …, "slot": "s0", "sweep_id": …}, …}. Cypher
// has no JSON parser, so each period's entry is cut out as text (split on } then on ").
WITH [part IN split(coalesce(s.pointer_json, ''), '}') | split(part, '"')] AS parts
WITH [t IN parts WHERE size(t) > 3 | {
  period: t[1],
  slot: [i IN range(0, size(t) - 3) WHERE t[i] = 'slot' | t[i + 2]][0],
  sweep_id: [i IN range(0, size(t) - 3) WHERE t[i] = 'sweep_id' | t[i + 2]][0]
}] AS pointer
MATCH (l:Lab {lab_id: $lab_id})-[:ISSUED]->(:TestReport)-[:EVIDENCES]->(:Parameter)
      <-[:HAS_PARAMETER]-(m:UnitMonth)
WITH DISTINCT l, m, [e IN pointer WHERE e.period = m.period][0] AS current
// A slot's properties are named <property>_<slot> (app/stores/neo4j/scoring.py). A value
// counts only where the slot's stamp is the current sweep of that month.
WITH l, m,
     CASE WHEN m['sweep_' + current.slot] = current.sweep_id THEN current.slot END AS slot
ORDER BY m.period
WITH l, m.unit_id AS unit_id, m.enterprise_id AS enterprise_id, count(m) AS months,
     collect(CASE WHEN m['flagged_' + slot] THEN {
       period: m.period, score: m['score_' + slot], top_parameter: m['top_parameter_' + slot]
     } END) AS flagged
RETURN l.lab_id AS lab_id, unit_id, enterprise_id, months, size(flagged) AS flagged_months,
       flagged
ORDER BY flagged_months DESC, unit_id
