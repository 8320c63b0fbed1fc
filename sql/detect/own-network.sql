-- name: own-network
-- description: A person the look-up resolves to is within $max_hops relations of the employee's own
--   person record (not the record itself), and the look-up's case does not justify looking that
--   person up. The path is the shortest, then the one through the smallest intermediate person id;
--   kinds per hop are the alphabetically first. Each employee's neighbourhood is built once (not
--   once per look-up), then the look-ups are joined to it.
-- uses: unjustified_targets, own_persons, relation_edges
-- params: max_hops
WITH candidates AS (
  SELECT o.own_person_id AS source, e1.b AS person_id, 1 AS hops, CAST(NULL AS VARCHAR) AS via,
         e1.kind AS k1, CAST(NULL AS VARCHAR) AS k2
  FROM own_persons o
  JOIN relation_edges e1 ON e1.a = o.own_person_id
  UNION ALL
  SELECT o.own_person_id AS source, e2.b AS person_id, 2 AS hops, e1.b AS via, e1.kind AS k1,
         e2.kind AS k2
  FROM own_persons o
  JOIN relation_edges e1 ON e1.a = o.own_person_id
  JOIN relation_edges e2 ON e2.a = e1.b
  WHERE $max_hops >= 2 AND e2.b <> o.own_person_id
),
best AS (
  SELECT source, person_id, hops, via, k1, k2
  FROM (
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY source, person_id ORDER BY hops, via) AS pick
    FROM candidates c
  ) ranked
  WHERE pick = 1
)
SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id,
       'medium' AS severity,
       CASE WHEN b.hops = 1 THEN [o.own_person_id, t.person_id]
            ELSE [o.own_person_id, b.via, t.person_id] END AS path_persons,
       CASE WHEN b.hops = 1 THEN [b.k1] ELSE [b.k1, b.k2] END AS path_kinds
FROM unjustified_targets t
JOIN own_persons o ON o.employee_id = t.employee_id
JOIN best b ON b.source = o.own_person_id AND b.person_id = t.person_id
WHERE t.person_id <> o.own_person_id
