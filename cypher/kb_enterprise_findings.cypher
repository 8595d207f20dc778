// What are this enterprise's current findings, counted by status (flagged, listed)? Read from
// the knowledge base's findings (refreshed by each sweep), inside the caller's scope.
// Params: $enterprise_id, $units_visible, $province_code, $region_code.
MATCH (f:KbPassage {kind: 'finding', enterprise_id: $enterprise_id})
WHERE $units_visible
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
RETURN f.status AS status, count(f) AS findings, count(DISTINCT f.unit_id) AS units
ORDER BY status
