// How many of a province's unit-months of one year were resubmitted after an audit return,
// and how many resubmissions (revision - 1) were there? Inside the caller's scope.
// Params: $province (the province asked about), $year ('YYYY'), $units_visible,
// $province_code, $region_code.
MATCH (m:UnitMonth)
WHERE m.province_code = $province
  AND m.period STARTS WITH $year
  AND m.revision > 1
  AND $units_visible
  AND ($province_code IS NULL OR m.province_code = $province_code)
  AND ($region_code IS NULL OR m.region_code = $region_code)
RETURN count(m) AS unit_months, coalesce(sum(m.revision - 1), 0) AS returns
