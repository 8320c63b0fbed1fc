// score/accesses: the look-ups with $since <= ts < $until (either may be null), as access_log rows.
MATCH (a:Access)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
RETURN a.access_id AS access_id, a.ts AS ts, a.employee_id AS employee_id, a.target_type AS target_type,
       a.target_id AS target_id, a.action AS action, a.case_id AS case_id
ORDER BY access_id
