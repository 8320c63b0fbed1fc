-- name: access_targets
-- description: The look-ups in the window joined with the persons they resolve to (one row per
--   look-up and person).
-- uses: accesses, target_persons
SELECT a.*, t.person_id
FROM accesses a
JOIN target_persons t ON t.access_id = a.access_id
