// Which verification agencies work in the market (public list)?
MATCH (v:Verifier)
RETURN v.verifier_id AS verifier_id, v.name AS name, v.region_code AS region_code
ORDER BY verifier_id
