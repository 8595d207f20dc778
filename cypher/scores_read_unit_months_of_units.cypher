// Current results of some units' unit-months: for each slot group of periods, the unit-months
// of $unit_ids stamped by the sweep that is current for them (looked up by key, so one unit's
// answer does not scan a whole period). Params: $slots, $unit_ids, $flagged_only.
UNWIND $slots AS slot
UNWIND slot.periods AS period
UNWIND $unit_ids AS unit_id
MATCH (um:UnitMonth {key: unit_id + '|' + period})
WHERE um[slot.stamp] = slot.sweep_id
  AND (NOT $flagged_only OR um[slot.flagged] = true)
RETURN um[slot.result] AS result
