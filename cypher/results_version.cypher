// Which results does an analyst read now? The sweep whose results are current (the current
// sweep, or the one it carries forward when it scored nothing) and the load ledger (each step's
// fingerprint, a load begun and not finished): they change with every publish of new results and
// every load step, so an answer kept under them is never served after either.
// Params: none.
OPTIONAL MATCH (s:Sweep {current: true})
OPTIONAL MATCH (l:LoadLedger {name: 'graph'})
RETURN coalesce(s.carries, s.sweep_id) AS results_of, l.steps_json AS steps_json, l.started AS started
