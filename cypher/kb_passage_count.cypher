// How many passages does the knowledge base hold?
MATCH (p:KbPassage)
RETURN count(p) AS passages
