// Delete the knowledge-base passages of every other index generation (those the new index no
// longer holds), in batches. Params: $generation.
MATCH (p:KbPassage)
WHERE p.generation <> $generation
CALL (p) { DETACH DELETE p } IN TRANSACTIONS OF 1000 ROWS
