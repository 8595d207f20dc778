// How many nodes of each label the graph holds (read from the count store).
MATCH (n:Region) RETURN 'Region' AS name, count(n) AS count
UNION ALL
MATCH (n:Group) RETURN 'Group' AS name, count(n) AS count
UNION ALL
MATCH (n:Enterprise) RETURN 'Enterprise' AS name, count(n) AS count
UNION ALL
MATCH (n:Unit) RETURN 'Unit' AS name, count(n) AS count
UNION ALL
MATCH (n:Verifier) RETURN 'Verifier' AS name, count(n) AS count
UNION ALL
MATCH (n:Lab) RETURN 'Lab' AS name, count(n) AS count
UNION ALL
MATCH (n:TestReport) RETURN 'TestReport' AS name, count(n) AS count
UNION ALL
MATCH (n:UnitMonth) RETURN 'UnitMonth' AS name, count(n) AS count
UNION ALL
MATCH (n:Submission) RETURN 'Submission' AS name, count(n) AS count
UNION ALL
MATCH (n:Parameter) RETURN 'Parameter' AS name, count(n) AS count
UNION ALL
MATCH (n:EnterpriseYear) RETURN 'EnterpriseYear' AS name, count(n) AS count
UNION ALL
MATCH (n:Verification) RETURN 'Verification' AS name, count(n) AS count
UNION ALL
MATCH (n:Allocation) RETURN 'Allocation' AS name, count(n) AS count
UNION ALL
MATCH (n:Compliance) RETURN 'Compliance' AS name, count(n) AS count
UNION ALL
MATCH (n:Trade) RETURN 'Trade' AS name, count(n) AS count
