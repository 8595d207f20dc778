// Range indexes of graph_schema.labels.INDEXES, one statement each; idempotent.
// Applied with the constraints; tests check it matches graph_schema.
CREATE INDEX parameter_period_index IF NOT EXISTS FOR (n:Parameter) ON (n.period);
CREATE INDEX parameter_unit_id_period_index IF NOT EXISTS FOR (n:Parameter) ON (n.unit_id, n.period);
CREATE INDEX unitmonth_period_index IF NOT EXISTS FOR (n:UnitMonth) ON (n.period);
CREATE INDEX enterprise_region_code_index IF NOT EXISTS FOR (n:Enterprise) ON (n.region_code);
CREATE INDEX unit_enterprise_id_index IF NOT EXISTS FOR (n:Unit) ON (n.enterprise_id);
