// Uniqueness constraints of graph_schema.labels.CONSTRAINTS, one statement each; idempotent.
// Applied by `mrvtrace schema apply` and at API start-up; tests check it matches graph_schema.
CREATE CONSTRAINT region_region_code_unique IF NOT EXISTS FOR (n:Region) REQUIRE n.region_code IS UNIQUE;
CREATE CONSTRAINT group_group_id_unique IF NOT EXISTS FOR (n:Group) REQUIRE n.group_id IS UNIQUE;
CREATE CONSTRAINT enterprise_enterprise_id_unique IF NOT EXISTS FOR (n:Enterprise) REQUIRE n.enterprise_id IS UNIQUE;
CREATE CONSTRAINT unit_unit_id_unique IF NOT EXISTS FOR (n:Unit) REQUIRE n.unit_id IS UNIQUE;
CREATE CONSTRAINT verifier_verifier_id_unique IF NOT EXISTS FOR (n:Verifier) REQUIRE n.verifier_id IS UNIQUE;
CREATE CONSTRAINT lab_lab_id_unique IF NOT EXISTS FOR (n:Lab) REQUIRE n.lab_id IS UNIQUE;
CREATE CONSTRAINT testreport_report_id_unique IF NOT EXISTS FOR (n:TestReport) REQUIRE n.report_id IS UNIQUE;
CREATE CONSTRAINT unitmonth_key_unique IF NOT EXISTS FOR (n:UnitMonth) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT submission_key_unique IF NOT EXISTS FOR (n:Submission) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT parameter_key_unique IF NOT EXISTS FOR (n:Parameter) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT enterpriseyear_key_unique IF NOT EXISTS FOR (n:EnterpriseYear) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT verification_verification_id_unique IF NOT EXISTS FOR (n:Verification) REQUIRE n.verification_id IS UNIQUE;
CREATE CONSTRAINT allocation_key_unique IF NOT EXISTS FOR (n:Allocation) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT compliance_key_unique IF NOT EXISTS FOR (n:Compliance) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT trade_trade_id_unique IF NOT EXISTS FOR (n:Trade) REQUIRE n.trade_id IS UNIQUE;
CREATE CONSTRAINT sweep_sweep_id_unique IF NOT EXISTS FOR (n:Sweep) REQUIRE n.sweep_id IS UNIQUE;
CREATE CONSTRAINT model_version_unique IF NOT EXISTS FOR (n:Model) REQUIRE n.version IS UNIQUE;
