// One sweep by id.
MATCH (s:Sweep {sweep_id: $sweep_id})
RETURN properties(s) AS sweep
