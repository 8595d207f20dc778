// One finding by id, or nothing when it is unknown or outside the caller's jurisdiction.
// Params: $finding_id, and the scope filter $units_visible, $province_code, $region_code.
MATCH (f:Finding {finding_id: $finding_id})
WHERE $units_visible AND f.version IS NOT NULL
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
RETURN f {.*} AS finding
