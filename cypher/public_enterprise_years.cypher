// Per enterprise-year, what was reported, verified, allocated and surrendered? The sum of the
// reported unit-months next to the verification, allocation and compliance records.
MATCH (m:UnitMonth)
WITH m.enterprise_id AS enterprise_id, substring(m.period, 0, 4) AS year_text,
     sum(m.reported_co2_t) AS reported_co2_t, count(m) AS unit_months
OPTIONAL MATCH (y:EnterpriseYear {key: enterprise_id + '|' + year_text})
OPTIONAL MATCH (y)<-[:VERIFIES]-(v:Verification)
OPTIONAL MATCH (y)<-[:ALLOCATED_TO]-(a:Allocation)
OPTIONAL MATCH (y)<-[:COMPLIES]-(c:Compliance)
WITH enterprise_id, year_text, reported_co2_t, unit_months,
     head(collect(v)) AS v, head(collect(a)) AS a, head(collect(c)) AS c
RETURN enterprise_id, toInteger(year_text) AS year, reported_co2_t, unit_months,
       v.verifier_id AS verifier_id, v.verified_co2_t AS verified_co2_t,
       v.nonconformities AS nonconformities, a.allocated_t AS allocated_t,
       c.surrendered_t AS surrendered_t, c.completed_on AS completed_on
