// Is this lab a shared source? Its units, and the months of theirs the current sweep flags.
// One row per unit whose coal carbon content the lab's test reports evidence: the months they
// cover, and the flagged ones with score and top parameter (read from each month's current
// slot, found from the current sweep's pointer). Params: $lab_id.
OPTIONAL MATCH (s:Sweep {current: true})
// The pointer is kept as parallel lists: pointer_periods[i] is in slot pointer_slots[i],
// written by sweep pointer_sweep_ids[i].
WITH s, range(0, size(coalesce(s.pointer_periods, [])) - 1) AS entries
WITH [i IN entries | {
  period: s.pointer_periods[i], slot: s.pointer_slots[i], sweep_id: s.pointer_sweep_ids[i]
}] AS pointer
MATCH (l:Lab {lab_id: $lab_id})-[:ISSUED]->(:TestReport)-[:EVIDENCES]->(:Parameter)
      <-[:HAS_PARAMETER]-(m:UnitMonth)
WITH DISTINCT l, m, [e IN pointer WHERE e.period = m.period][0] AS current
// A slot's properties are named <property>_<slot> (app/infrastructure/stores/neo4j/
// sweep_results.py). A value counts only where the slot's stamp is the current sweep of that
// month.
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
