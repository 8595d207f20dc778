// Which months has this unit reported (inside the caller's scope)? Oldest first.
// Params: $unit_id, $units_visible, $province_code, $region_code.
MATCH (:Unit {unit_id: $unit_id})-[:HAS_MONTH]->(m:UnitMonth)
WHERE $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
RETURN m.period AS period
ORDER BY period
