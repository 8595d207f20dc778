// The unit-month frame: every property of each UnitMonth (the current revision, with unit
// attributes, provenance and parameter values), optionally for some periods only.
// Params: $periods (list of YYYY-MM, or null for all).
MATCH (m:UnitMonth)
WHERE $periods IS NULL OR m.period IN $periods
RETURN properties(m) AS props
