// The unit-month frame inside the caller's scope (optionally some periods), with the verifier
// of each enterprise-year (the population systemic-source tests compare flags against) and its
// allocation (null when the enterprise has none that year).
// Only the contract's columns, as a list in $columns' order: the sweep's score slots on the
// same nodes are large and nobody reading the frame wants them.
// Params: $columns (property names), $periods (list or null), $units_visible, $province_code,
// $region_code.
MATCH (m:UnitMonth)
WHERE ($periods IS NULL OR m.period IN $periods)
  AND $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
OPTIONAL MATCH (y:EnterpriseYear {key: m.enterprise_id + '|' + substring(m.period, 0, 4)})
OPTIONAL MATCH (y)<-[:VERIFIES]-(v:Verification)
WITH m, y, head(collect(v.verifier_id)) AS verifier_id
RETURN [column IN $columns | m[column]] AS values, verifier_id,
       head([(y)<-[:ALLOCATED_TO]-(a:Allocation) | a.allocated_t]) AS allocated_t
