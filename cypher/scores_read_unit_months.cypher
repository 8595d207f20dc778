// Current results per unit-month: for each slot group of periods, the unit-months stamped by
// the sweep that is current for them (optionally only flagged ones).
UNWIND $slots AS slot
MATCH (um:UnitMonth)
WHERE um.period IN slot.periods
  AND um[slot.stamp] = slot.sweep_id
  AND (NOT $flagged_only OR um[slot.flagged] = true)
RETURN um[slot.result] AS result
