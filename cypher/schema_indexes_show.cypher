// Which property indexes does the database have, and are they online? (lookup indexes left out)
SHOW INDEXES
YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint
WHERE type <> 'LOOKUP'
RETURN name, type, entityType, labelsOrTypes, properties, state, owningConstraint
ORDER BY name
