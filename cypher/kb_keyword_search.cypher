// Which passages visible to the caller match these words best? BM25 over the CJK-analysed
// bodies; a passage without a jurisdiction is visible to all, a finding only inside its own.
// Params: $query (plain terms: text_tokens.plain_query), $pool (candidates read from the
// index before the scope is applied), $limit, and the scope filter $units_visible,
// $province_code, $region_code (null: no restriction).
CALL db.index.fulltext.queryNodes('kb_passage_text', $query, {limit: $pool})
YIELD node, score
WHERE (node.province_code = ''
       OR ($units_visible
           AND ($province_code IS NULL OR node.province_code = $province_code)
           AND ($region_code IS NULL OR node.region_code = $region_code)))
RETURN node.passage_id AS passage_id, score
ORDER BY score DESC, passage_id
LIMIT $limit
