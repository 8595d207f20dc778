// The review queue of one city (a city key): findings of the statuses asked for, highest
// priority first, then by id, one page after the cursor; filters by region (a city or a
// province), least priority, opening time and assignee. One file per scope level, so that
// jurisdiction and status are one seek of a finding index, read in priority order.
// Params: $statuses (a list), $region, $min_priority, $opened_before, $assignee (null: no
// filter), $after_priority and $after_id (null: first page), $limit, $units_visible, $region_code.
MATCH (f:Finding)
WHERE $units_visible AND f.region_code = $region_code AND f.status IN $statuses
  AND f.priority IS NOT NULL
  AND ($region IS NULL OR f.region_code = $region OR f.province_code = $region)
  AND ($min_priority IS NULL OR f.priority >= $min_priority)
  AND ($opened_before IS NULL OR f.opened < $opened_before)
  AND ($assignee IS NULL OR f.assignee = $assignee)
  AND ($after_priority IS NULL OR f.priority < $after_priority
       OR (f.priority = $after_priority AND f.finding_id > $after_id))
WITH f ORDER BY f.priority DESC, f.finding_id LIMIT $limit
// One record for the page: a record per finding costs a message each way.
RETURN collect(f {.*}) AS findings
