// Which passages visible to the caller are nearest in meaning to this question's embedding?
// The native vector index (cosine, scored (1 + cos) / 2); scope as in kb_keyword_search.
// Params: $vector (384 floats), $pool, $limit, $units_visible, $province_code, $region_code.
CALL db.index.vector.queryNodes('kb_passage_vectors', $pool, $vector)
YIELD node, score
WHERE (node.province_code = ''
       OR ($units_visible
           AND ($province_code IS NULL OR node.province_code = $province_code)
           AND ($region_code IS NULL OR node.region_code = $region_code)))
RETURN node.passage_id AS passage_id, score
ORDER BY score DESC, passage_id
LIMIT $limit
