// Which passages visible to the caller answer this question best: by its words (BM25 over the
// CJK-analysed bodies) and by its meaning (the native vector index, cosine scored
// (1 + cos) / 2)? Both rankings in one round trip; a side whose input is null comes back empty.
// A passage without a jurisdiction is visible to all, a finding only inside its own.
// Params: $query (plain terms: text_tokens.plain_query, or null), $vector (384 floats, or null),
// $pool (candidates read from each index before the scope is applied), $limit, and the scope
// filter $units_visible, $province_code, $region_code (null: no restriction).
CALL () {
  WITH $query AS query
  WHERE query IS NOT NULL
  CALL db.index.fulltext.queryNodes('kb_passage_text', query, {limit: $pool})
  YIELD node, score
  WHERE (node.province_code = ''
         OR ($units_visible
             AND ($province_code IS NULL OR node.province_code = $province_code)
             AND ($region_code IS NULL OR node.region_code = $region_code)))
  WITH node.passage_id AS passage_id, score
  ORDER BY score DESC, passage_id
  LIMIT $limit
  RETURN collect([passage_id, score]) AS keyword
}
CALL () {
  WITH $vector AS vector
  WHERE vector IS NOT NULL
  CALL db.index.vector.queryNodes('kb_passage_vectors', $pool, vector)
  YIELD node, score
  WHERE (node.province_code = ''
         OR ($units_visible
             AND ($province_code IS NULL OR node.province_code = $province_code)
             AND ($region_code IS NULL OR node.region_code = $region_code)))
  WITH node.passage_id AS passage_id, score
  ORDER BY score DESC, passage_id
  LIMIT $limit
  RETURN collect([passage_id, score]) AS vector
}
RETURN keyword, vector
