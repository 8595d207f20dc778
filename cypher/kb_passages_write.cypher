// Write knowledge-base passages of one index generation, one node per passage id (a passage
// that exists already is replaced in place, so a search meanwhile finds the old or the new).
// Params: $rows [{passage_id, props, embedding, generation}].
UNWIND $rows AS row
MERGE (p:KbPassage {passage_id: row.passage_id})
SET p = row.props, p.passage_id = row.passage_id, p.embedding = row.embedding,
    p.generation = row.generation
