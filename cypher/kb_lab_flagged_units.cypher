// Which units had flagged months in this year whose carbon test report came from this lab?
// Read from the current findings of the knowledge base (refreshed by each sweep), inside the
// caller's scope. Params: $lab_id, $year ('YYYY'), $units_visible, $province_code, $region_code.
MATCH (f:KbPassage {kind: 'finding', lab_id: $lab_id, status: 'flagged'})
WHERE f.period STARTS WITH $year
  AND $units_visible
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
WITH f ORDER BY f.period
RETURN f.unit_id AS unit_id, f.enterprise_id AS enterprise_id, collect(f.period) AS periods
ORDER BY unit_id
