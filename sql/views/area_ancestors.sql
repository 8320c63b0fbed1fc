-- name: area_ancestors
-- description: (area_id, ancestor_id) for every area and each of its ancestors, itself included.
--   UNION ALL with a depth bound rather than UNION: Spark's recursive CTEs take UNION ALL only.
--   Ingest refuses a cycle of parents; should one reach the store all the same, the bound (64
--   levels, below Spark's recursion limit of 100) ends the recursion, and DISTINCT keeps one row.
-- uses: areas
WITH RECURSIVE up (area_id, ancestor_id, depth) AS (
  SELECT area_id, area_id, 0 FROM areas
  UNION ALL
  SELECT up.area_id, p.parent_area_id, up.depth + 1
  FROM up
  JOIN areas p ON p.area_id = up.ancestor_id
  WHERE p.parent_area_id IS NOT NULL AND up.depth < 64
)
SELECT DISTINCT area_id, ancestor_id FROM up
