// off-shift: an access not justified as a whole (see outside-territory) outside every shift of an
// employee who has shifts; or, for an employee without shifts and at least $min_history accesses in
// the whole log, in a UTC hour of day holding less than $min_hour_share of the employee's accesses.
// Each employee's shifts are read once into a list; accesses are those in the window
// ($since <= ts < $until, both always set).
MATCH (e:Employee)
CALL (e) {
  MATCH (e)-[:WORKED]->(s:Shift)
  RETURN collect([s.start_ts, s.end_ts]) AS shifts
}
WITH e, shifts
WHERE size(shifts) > 0
MATCH (e)-[:PERFORMED]->(a:Access)
WHERE a.ts >= $since AND a.ts < $until
  AND none(s IN shifts WHERE s[0] <= a.ts <= s[1])
  AND NOT EXISTS {
    MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
    WHERE EXISTS {
        MATCH (e)-[asg:ASSIGNED_TO]->(c)
        WHERE {{assigned-on-the-day}}
      }
      AND {{case-covers-target}}
  }
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, null AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'low' AS severity, null AS path_persons, null AS path_kinds,
       'outside every shift' AS detail
UNION ALL
MATCH (e:Employee)-[:PERFORMED]->(h:Access)
WHERE NOT EXISTS { (e)-[:WORKED]->(:Shift) }
WITH e, h.ts.hour AS hour, count(*) AS n
WITH e, collect([hour, n]) AS histogram, sum(n) AS total
WHERE total >= $min_history
UNWIND histogram AS hn
WITH e, hn[0] AS hour, hn[1] AS n, total
WHERE toFloat(n) / total < $min_hour_share
MATCH (e)-[:PERFORMED]->(a:Access)
WHERE a.ts.hour = hour
  AND a.ts >= $since AND a.ts < $until
  AND NOT EXISTS {
    MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
    WHERE EXISTS {
        MATCH (e)-[asg:ASSIGNED_TO]->(c)
        WHERE {{assigned-on-the-day}}
      }
      AND {{case-covers-target}}
  }
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, null AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'low' AS severity, null AS path_persons, null AS path_kinds,
       'hour ' + CASE WHEN hour < 10 THEN '0' ELSE '' END + toString(hour) + ' UTC holds '
       + toString(n) + ' of ' + toString(total) AS detail
