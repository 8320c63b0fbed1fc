-- name: unjustified_targets
-- description: The look-ups in the window with each person they resolve to that their cited case
--   does not justify (see justified).
-- uses: access_targets, justified
-- materialise: yes
SELECT t.*
FROM access_targets t
WHERE NOT EXISTS (
  SELECT 1 FROM justified j WHERE j.access_id = t.access_id AND j.person_id = t.person_id
)
