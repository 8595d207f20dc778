// Delete sweeps' records and the fitted models saved under their ids (their score slots are
// cleared first by scores_clear_slots); returns the ids deleted.
UNWIND $sweep_ids AS sweep_id
MATCH (s:Sweep {sweep_id: sweep_id})
OPTIONAL MATCH (m:Model {version: sweep_id})
DETACH DELETE s, m
RETURN sweep_id
