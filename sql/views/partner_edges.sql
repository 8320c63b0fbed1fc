-- name: partner_edges
-- description: (a, b) for every partner relation, both directions, self-loops dropped.
-- uses: relations
SELECT DISTINCT a, b
FROM (
  SELECT person_id AS a, other_person_id AS b FROM relations WHERE kind = 'partner'
  UNION ALL
  SELECT other_person_id AS a, person_id AS b FROM relations WHERE kind = 'partner'
) both_ways
WHERE a <> b
