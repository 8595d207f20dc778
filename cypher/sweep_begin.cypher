// Which sweep is this? Record a new running sweep (its results stay invisible until publish).
CREATE (s:Sweep {sweep_id: $sweep_id})
SET s += $props, s.current = false
