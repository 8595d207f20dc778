// The knowledge-base passages of these ids that the caller may see.
// Params: $passage_ids, $units_visible, $province_code, $region_code.
MATCH (node:KbPassage)
WHERE node.passage_id IN $passage_ids
  AND (node.province_code = ''
       OR ($units_visible
           AND ($province_code IS NULL OR node.province_code = $province_code)
           AND ($region_code IS NULL OR node.region_code = $region_code)))
RETURN node {.passage_id, .kind, .source, .title, .text, .terms, .province_code, .region_code,
             .unit_id, .period, .enterprise_id, .lab_id, .status, .root_parameter} AS passage
