// Which unit is this, and who stands behind it? Unit -> enterprise -> group, city -> province,
// or nothing when the unit is unknown or outside the caller's scope.
// Params: $unit_id, and the scope filter $units_visible, $province_code, $region_code (null:
// no restriction).
MATCH (u:Unit {unit_id: $unit_id})
OPTIONAL MATCH (u)-[:OWNED_BY]->(e:Enterprise)
OPTIONAL MATCH (e)-[:IN_REGION]->(c:Region)
OPTIONAL MATCH (c)-[:PART_OF]->(p:Region)
OPTIONAL MATCH (e)-[:MEMBER_OF]->(g:Group)
WITH u, e, c, p, g
WHERE $units_visible
  AND ($province_code IS NULL OR p.region_code = $province_code)
  AND ($region_code IS NULL OR c.region_code = $region_code)
RETURN u.unit_id AS unit_id, u.unit_class AS unit_class, u.capacity_mw AS capacity_mw,
       u.cooling AS cooling, u.commissioned_year AS commissioned_year,
       e.enterprise_id AS enterprise_id, e.name AS enterprise_name,
       g.group_id AS group_id, g.name AS group_name,
       c.region_code AS region_code, c.name AS region_name,
       p.region_code AS province_code, p.name AS province_name
LIMIT 1
