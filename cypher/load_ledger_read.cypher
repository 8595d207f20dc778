// The load ledger: per load step the fingerprint of the frame it last wrote in full, and the
// start and source of a load begun and not finished (null when none). No rows before a load.
MATCH (l:LoadLedger {name: 'graph'})
RETURN l.steps_json AS steps_json, l.started AS started, l.source AS source
