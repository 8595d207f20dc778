// Current results per unit-month: for each slot group of periods, the unit-months stamped by
// the sweep that is current for them (optionally only flagged ones).
UNWIND $slots AS slot
MATCH (um:UnitMonth)
WHERE um.period IN slot.periods
  AND um[slot.stamp] = slot.sweep_id
  AND (NOT $flagged_only OR um[slot.flagged] = true)
RETURN um.unit_id AS unit_id, um.period AS period, um[slot.score] AS score,
       um[slot.flagged] AS flagged, um[slot.top_parameter] AS top_parameter,
       um[slot.candidates] AS candidates
