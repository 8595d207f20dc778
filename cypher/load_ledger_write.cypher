// Replace the load ledger (one node, written in one transaction, so a crash keeps the old or
// the new one). Params: $steps_json (JSON map step -> fingerprint), $started (null when no
// load is in progress), $source.
MERGE (l:LoadLedger {name: 'graph'})
SET l.steps_json = $steps_json, l.started = $started, l.source = $source
