-- name: area_ancestors
-- description: (area_id, ancestor_id) for every area and each of its ancestors, itself included.
--   UNION (not UNION ALL) ends the recursion on a cycle of parents as well.
-- uses: areas
WITH RECURSIVE up (area_id, ancestor_id) AS (
  SELECT area_id, area_id FROM areas
  UNION
  SELECT up.area_id, p.parent_area_id
  FROM up
  JOIN areas p ON p.area_id = up.ancestor_id
  WHERE p.parent_area_id IS NOT NULL
)
SELECT area_id, ancestor_id FROM up
