// A reviewer's decision on one finding: apply the changes and append the event only while the
// finding is at the version the decision was made on; return the finding either way (its
// current state answers a stale decision) and whether the change applied. Nothing returns
// when the finding is unknown or outside the caller's jurisdiction.
// Params: $finding_id, $expected_version, $changes (properties), $event (properties), and the
// scope filter $units_visible, $province_code, $region_code.
MATCH (f:Finding {finding_id: $finding_id})
WHERE $units_visible AND f.version IS NOT NULL
  AND ($province_code IS NULL OR f.province_code = $province_code)
  AND ($region_code IS NULL OR f.region_code = $region_code)
// Take the write lock first, so that the version compared is the committed one.
SET f._lock = true
WITH f, f.version = $expected_version AS fresh
REMOVE f._lock
FOREACH (_ IN CASE WHEN fresh THEN [1] ELSE [] END |
  SET f += $changes
  CREATE (f)-[:HAS_EVENT]->(e:ReviewEvent)
  SET e = $event
)
RETURN f {.*} AS finding, fresh
