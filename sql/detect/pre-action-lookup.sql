-- name: pre-action-lookup
-- description: A no-need-to-know look-up (see the view no_need_to_know) within $window_hours before
--   a planned action of that case (action.ts - window <= access.ts < action.ts); the nearest
--   upcoming action (the earliest, ties by kind) is named. The action's id is its key, as the Action
--   node's: case_id|ts (UTC, ISO 8601 with +0000)|kind. Always critical.
-- uses: no_need_to_know, case_actions
-- params: window_hours
SELECT employee_id, access_id, ts, target_type, target_id, person_id, case_id,
       action_ts, action_id, 'critical' AS severity,
       kind || ' planned' AS detail
FROM (
  SELECT m.*, x.ts AS action_ts, x.kind,
         x.case_id || '|' || strftime(x.ts, '%Y-%m-%d') || 'T' || strftime(x.ts, '%H:%M:%S') || '+0000|' || x.kind
           AS action_id,
         ROW_NUMBER() OVER (PARTITION BY m.access_id, m.case_id, m.person_id ORDER BY x.ts, x.kind) AS pick
  FROM no_need_to_know m
  JOIN case_actions x ON x.case_id = m.case_id
  WHERE m.ts < x.ts AND m.ts >= x.ts - INTERVAL ($window_hours) HOUR
) ranked
WHERE pick = 1
