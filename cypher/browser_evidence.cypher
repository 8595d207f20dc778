// What evidence stands behind a unit-month's coal carbon content?
// The test report that evidences its coal_carbon_pct and the lab that issued it: the reported
// value against the report's (carbon and NCV), and the month against the sample, report and
// submission dates. A row with no report_id means nothing evidences the reported value.
// Params: $unit_id, $period.
MATCH (m:UnitMonth {key: $unit_id + '|' + $period})
      -[:HAS_PARAMETER]->(carbon:Parameter {name: 'coal_carbon_pct'})
OPTIONAL MATCH (m)-[:HAS_PARAMETER]->(ncv:Parameter {name: 'coal_ncv_gj_t'})
OPTIONAL MATCH (carbon)<-[:EVIDENCES]-(r:TestReport)
OPTIONAL MATCH (r)<-[:ISSUED]-(l:Lab)
RETURN m.unit_id AS unit_id, m.period AS period,
       carbon.value AS reported_carbon_pct, r.carbon_pct AS report_carbon_pct,
       carbon.value - r.carbon_pct AS carbon_gap,
       ncv.value AS reported_ncv_gj_t, r.ncv_gj_t AS report_ncv_gj_t,
       r.report_id AS report_id, r.period AS report_period, r.sample_date AS sample_date,
       r.report_date AS report_date, m.submitted_on AS submitted_on,
       l.lab_id AS lab_id, l.name AS lab_name, l.accreditation AS lab_accreditation,
       l.region_code AS lab_region_code
ORDER BY report_date
