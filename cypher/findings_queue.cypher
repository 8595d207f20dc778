// The review queue: findings of the caller's jurisdiction, highest priority first, then by id,
// one page after the cursor; filters by status, region (a city or a province), least priority,
// opening time and assignee.
// Params: $status, $region, $min_priority, $opened_before, $assignee (null: no filter),
// $after_priority and $after_id (null: first page), $limit, and the scope filter
// $units_visible, $province_code, $region_code.
MATCH (f:Finding)
WHERE $units_visible AND f.version IS NOT NULL
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
  AND ($status IS NULL OR f.status = $status)
  AND ($region IS NULL OR f.region_code = $region OR f.province_code = $region)
  AND ($min_priority IS NULL OR f.priority >= $min_priority)
  AND ($opened_before IS NULL OR f.opened < $opened_before)
  AND ($assignee IS NULL OR f.assignee = $assignee)
  AND ($after_priority IS NULL OR f.priority < $after_priority
       OR (f.priority = $after_priority AND f.finding_id > $after_id))
RETURN f {.*} AS finding
ORDER BY f.priority DESC, f.finding_id
LIMIT $limit
