// How many relationships of each type the graph holds (read from the count store).
MATCH ()-[r:IN_REGION]->() RETURN 'IN_REGION' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:PART_OF]->() RETURN 'PART_OF' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:MEMBER_OF]->() RETURN 'MEMBER_OF' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:OWNED_BY]->() RETURN 'OWNED_BY' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_MONTH]->() RETURN 'HAS_MONTH' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_SUBMISSION]->() RETURN 'HAS_SUBMISSION' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_PARAMETER]->() RETURN 'HAS_PARAMETER' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:ISSUED]->() RETURN 'ISSUED' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:EVIDENCES]->() RETURN 'EVIDENCES' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:TRANSFERS_TO]->() RETURN 'TRANSFERS_TO' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_YEAR]->() RETURN 'HAS_YEAR' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:AGGREGATES_TO]->() RETURN 'AGGREGATES_TO' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:VERIFIES]->() RETURN 'VERIFIES' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:PERFORMED]->() RETURN 'PERFORMED' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:ALLOCATED_TO]->() RETURN 'ALLOCATED_TO' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:COMPLIES]->() RETURN 'COMPLIES' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:SOLD]->() RETURN 'SOLD' AS name, count(r) AS count
UNION ALL
MATCH ()-[r:BOUGHT]->() RETURN 'BOUGHT' AS name, count(r) AS count
