-- name: own-network
-- description: A person the look-up resolves to is within $max_hops relations of the employee's own
--   person record (not the record itself), and the look-up's case does not justify looking that
--   person up. The path is the shortest, then the one through the smallest intermediate person id;
--   kinds per hop are the alphabetically first.
-- uses: unjustified_targets, own_persons, relation_edges
-- params: max_hops
WITH asked AS (
  SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id, o.own_person_id
  FROM unjustified_targets t
  JOIN own_persons o ON o.employee_id = t.employee_id
  WHERE t.person_id <> o.own_person_id
),
pairs AS (
  SELECT DISTINCT own_person_id, person_id FROM asked
),
candidates AS (
  SELECT p.own_person_id, p.person_id, 1 AS hops, CAST(NULL AS VARCHAR) AS via,
         e1.kind AS k1, CAST(NULL AS VARCHAR) AS k2
  FROM pairs p
  JOIN relation_edges e1 ON e1.a = p.own_person_id AND e1.b = p.person_id
  UNION ALL
  SELECT p.own_person_id, p.person_id, 2 AS hops, e1.b AS via, e1.kind AS k1, e2.kind AS k2
  FROM pairs p
  JOIN relation_edges e1 ON e1.a = p.own_person_id
  JOIN relation_edges e2 ON e2.a = e1.b AND e2.b = p.person_id
  WHERE $max_hops >= 2
),
best AS (
  SELECT own_person_id, person_id, hops, via, k1, k2
  FROM (
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY own_person_id, person_id ORDER BY hops, via) AS pick
    FROM candidates c
  ) ranked
  WHERE pick = 1
)
SELECT a.employee_id, a.access_id, a.ts, a.target_type, a.target_id, a.person_id,
       'medium' AS severity,
       CASE WHEN b.hops = 1 THEN [a.own_person_id, a.person_id]
            ELSE [a.own_person_id, b.via, a.person_id] END AS path_persons,
       CASE WHEN b.hops = 1 THEN [b.k1] ELSE [b.k1, b.k2] END AS path_kinds
FROM asked a
JOIN best b ON b.own_person_id = a.own_person_id AND b.person_id = a.person_id
