// Which enterprise owns each unit? (To count flagged unit-months per verifier's clients.)
MATCH (u:Unit)
RETURN u.unit_id AS unit_id, u.enterprise_id AS enterprise_id
