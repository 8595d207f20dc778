// Which unit-months are flagged in the current results, strongest first (score desc, unit_id,
// period), inside the caller's scope and the filters, after a cursor? One page (+1 row so the
// caller knows whether another page follows).
// Params: $slots (slot groups of periods), $region (city or province code), $group,
// $enterprise, $min_score, $after (null or {score, unit_id, period}), $limit, $units_visible,
// $province_code, $region_code (nulls: no restriction).
UNWIND $slots AS slot
MATCH (um:UnitMonth)
WHERE um.period IN slot.periods
  AND um[slot.stamp] = slot.sweep_id
  AND um[slot.flagged] = true
  AND $units_visible
  AND ($province_code IS NULL OR um.province_code = $province_code)
  AND ($region_code IS NULL OR um.region_code = $region_code)
  AND ($region IS NULL OR um.region_code = $region OR um.province_code = $region)
  AND ($group IS NULL OR um.group_id = $group)
  AND ($enterprise IS NULL OR um.enterprise_id = $enterprise)
WITH um, slot, um[slot.score] AS score
WHERE ($min_score IS NULL OR score >= $min_score)
  AND ($after IS NULL
       OR score < $after.score
       OR (score = $after.score AND (um.unit_id > $after.unit_id
           OR (um.unit_id = $after.unit_id AND um.period > $after.period))))
RETURN um.unit_id AS unit_id, um.period AS period, score, um[slot.result] AS result,
       um.enterprise_id AS enterprise_id,
       um.region_code AS region_code, um.province_code AS province_code,
       um.group_id AS group_id
ORDER BY score DESC, unit_id, period
LIMIT $limit
