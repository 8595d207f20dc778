// All sweeps, newest first.
MATCH (s:Sweep)
RETURN properties(s) AS sweep
ORDER BY s.started DESC, s.sweep_id DESC
