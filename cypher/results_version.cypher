// Which results does an analyst read now? The current sweep's id and the load ledger (each
// step's fingerprint, a load begun and not finished): they change with every publish and every
// load step, so an answer kept under them is never served after either.
// Params: none.
OPTIONAL MATCH (s:Sweep {current: true})
OPTIONAL MATCH (l:LoadLedger {name: 'graph'})
RETURN s.sweep_id AS sweep_id, l.steps_json AS steps_json, l.started AS started
