// Which enterprises does the market cover (public list)? With city, province, group and the
// number of their units.
MATCH (e:Enterprise)
OPTIONAL MATCH (e)-[:IN_REGION]->(c:Region)
OPTIONAL MATCH (c)-[:PART_OF]->(p:Region)
OPTIONAL MATCH (u:Unit)-[:OWNED_BY]->(e)
RETURN e.enterprise_id AS enterprise_id, e.name AS name, e.sector AS sector,
       e.group_id AS group_id, c.region_code AS region_code, p.region_code AS province_code,
       count(u) AS units
ORDER BY enterprise_id
