-- name: all_accesses
-- description: Every look-up of the log with day, the UTC date of ts (as a midnight timestamp).
--   The session runs in UTC, so the cast to DATE takes the UTC date.
-- uses: access_log
SELECT access_id, ts, employee_id, system, target_type, target_id, action, case_id,
       CAST(CAST(ts AS DATE) AS TIMESTAMP) AS day
FROM access_log
