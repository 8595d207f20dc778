"""The knowledge base: a corpus of what mrvtrace knows (rules, parameters, formulas, guidance
documents, current findings), hybrid search over it and answers that cite their sources."""
