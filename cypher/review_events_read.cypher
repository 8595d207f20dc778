// The history of findings: every review event, oldest first, of the findings named (null:
// all) within the caller's jurisdiction.
// Params: $finding_ids (null: all), and the scope filter $units_visible, $province_code,
// $region_code.
MATCH (f:Finding)-[:HAS_EVENT]->(e:ReviewEvent)
WHERE $units_visible
  AND ($finding_ids IS NULL OR f.finding_id IN $finding_ids)
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
RETURN e {.*} AS event
ORDER BY e.finding_id, e.version
