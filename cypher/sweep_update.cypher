// Record how a sweep ended without publishing it (failed sweeps leave the current one alone).
MATCH (s:Sweep {sweep_id: $sweep_id})
SET s += $props
