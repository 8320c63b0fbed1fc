// unjustified-export: an export whose access cites no case the employee is assigned to on the day.
// Accesses in the window ($since <= ts < $until, both always set) come from the Access.ts index.
MATCH (a:Access)
WHERE a.ts >= $since AND a.ts < $until AND a.action = 'export'
MATCH (e:Employee)-[:PERFORMED]->(a)
WHERE NOT EXISTS {
    MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
    WHERE EXISTS {
      MATCH (e)-[asg:ASSIGNED_TO]->(c)
      WHERE {{assigned-on-the-day}}
    }
  }
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, null AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'medium' AS severity, null AS path_persons, null AS path_kinds,
       CASE WHEN a.case_id IS NULL THEN 'no case cited' ELSE 'cites ' + a.case_id + ', not assigned' END AS detail
