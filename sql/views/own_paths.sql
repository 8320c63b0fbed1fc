-- name: own_paths
-- description: The shortest relation path of one or two hops from each employee's own person
--   record (source) to every person it reaches (not the record itself): among shortest paths the
--   one through the smallest intermediate person id; kinds per hop are the alphabetically first
--   (relation_edges). Built once per employee, not once per look-up. Rules with max_hops keep
--   hops <= max_hops: the best path is a shortest one, so the best within fewer hops is the same.
-- uses: own_persons, relation_edges
-- materialise: yes
SELECT source, person_id, hops,
       CASE WHEN hops = 1 THEN [source, person_id] ELSE [source, via, person_id] END AS path_persons,
       CASE WHEN hops = 1 THEN [k1] ELSE [k1, k2] END AS path_kinds
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY source, person_id ORDER BY hops, via) AS pick
  FROM (
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
    WHERE e2.b <> o.own_person_id
  ) c
) ranked
WHERE pick = 1
