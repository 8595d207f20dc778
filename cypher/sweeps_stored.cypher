// Which sweeps still hold stored data: results in a score slot of a unit-month or parameter
// node ($slots: the property names of each slot), or a fitted model saved under their id.
MATCH (n:UnitMonth|Parameter)
UNWIND $slots AS prop
WITH n[prop.stamp] AS sweep_id
WHERE sweep_id IS NOT NULL
RETURN DISTINCT sweep_id
UNION
MATCH (m:Model)
RETURN m.version AS sweep_id
