// Why is this unit-month flagged? Opens the traced subgraph in Neo4j Browser: the unit and its
// enterprise, the months of the window, their parameters and the data-transfer edges between
// them (sweep scores are properties), and the test reports and labs behind carbon content.
// Params: $unit_id, $periods (the month asked about and the months before it).
MATCH (u:Unit {unit_id: $unit_id})-[hm:HAS_MONTH]->(m:UnitMonth)
WHERE m.period IN $periods
OPTIONAL MATCH (u)-[ob:OWNED_BY]->(e:Enterprise)
MATCH (p:Parameter)
WHERE p.unit_id = $unit_id AND p.period IN $periods
OPTIONAL MATCH (p)-[t:TRANSFERS_TO]->(c:Parameter)
WHERE c.unit_id = $unit_id AND c.period IN $periods
OPTIONAL MATCH (r:TestReport)-[ev:EVIDENCES]->(p)
OPTIONAL MATCH (l:Lab)-[is:ISSUED]->(r)
RETURN u, hm, m, ob, e, p, t, c, r, ev, l, is
