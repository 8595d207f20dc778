// Constraints and indexes of the review loop's Finding and ReviewEvent nodes; idempotent.
// Applied with the graph's schema. The queue reads a jurisdiction's findings of one status,
// highest priority first: a province or city key's queue is one index range.
CREATE CONSTRAINT finding_finding_id_unique IF NOT EXISTS FOR (n:Finding) REQUIRE n.finding_id IS UNIQUE;
CREATE CONSTRAINT reviewevent_event_id_unique IF NOT EXISTS FOR (n:ReviewEvent) REQUIRE n.event_id IS UNIQUE;
CREATE INDEX finding_province_status_index IF NOT EXISTS FOR (n:Finding) ON (n.province_code, n.status, n.priority);
CREATE INDEX finding_region_status_index IF NOT EXISTS FOR (n:Finding) ON (n.region_code, n.status, n.priority);
CREATE INDEX finding_status_index IF NOT EXISTS FOR (n:Finding) ON (n.status, n.priority);
