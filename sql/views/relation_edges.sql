-- name: relation_edges
-- description: Undirected relation edges (a, b, kind): both directions, self-loops dropped, one row
--   per ordered pair with the alphabetically first kind.
-- uses: relations
-- materialise: yes
SELECT a, b, MIN(kind) AS kind
FROM (
  SELECT person_id AS a, other_person_id AS b, kind FROM relations
  UNION ALL
  SELECT other_person_id AS a, person_id AS b, kind FROM relations
) both_ways
WHERE a <> b
GROUP BY a, b
