// The knowledge base's schema, idempotent: one passage per id, a full-text index over each
// passage's body with Lucene's CJK analyser (bigrams of Han, kana and Hangul), and a native
// vector index over its embedding (multilingual-e5-small: 384 dimensions, cosine).
CREATE CONSTRAINT kb_passage_id IF NOT EXISTS FOR (p:KbPassage) REQUIRE p.passage_id IS UNIQUE;
CREATE FULLTEXT INDEX kb_passage_text IF NOT EXISTS FOR (p:KbPassage) ON EACH [p.body]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}};
CREATE VECTOR INDEX kb_passage_vectors IF NOT EXISTS FOR (p:KbPassage) ON p.embedding
  OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}};
