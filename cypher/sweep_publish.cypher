// Make a sweep current in one transaction: its per-period slot pointer replaces the old one.
MATCH (s:Sweep {sweep_id: $sweep_id})
OPTIONAL MATCH (old:Sweep {current: true})
FOREACH (o IN CASE WHEN old IS NULL OR old = s THEN [] ELSE [old] END | SET o.current = false)
SET s += $props, s.current = true
