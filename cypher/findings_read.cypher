// Every finding of the caller's jurisdiction, by id: what the sweep reconciles against and
// what review statistics count.
// Params: the scope filter $units_visible, $province_code, $region_code (null: no restriction).
MATCH (f:Finding)
WHERE $units_visible AND f.version IS NOT NULL
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
RETURN f {.*} AS finding
ORDER BY f.finding_id
