// sensitive-target: an access to a person flagged vip, protected, informant or undercover, not
// justified by the access's case. high for protected, informant and undercover; medium for vip alone.
// Accesses in the window ($since <= ts < $until, both always set) come from the Access.ts index.
MATCH (a:Access)
WHERE a.ts >= $since AND a.ts < $until
MATCH (e:Employee)-[:PERFORMED]->(a)-[:TARGETED]->(t)
{{person-of-target}}
WITH e, a, p
WHERE p.flags IS NOT NULL
  AND NOT {{justified-for-person}}
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id,
       CASE WHEN p.flags =~ '.*(informant|protected|undercover).*' THEN 'high' ELSE 'medium' END AS severity,
       null AS path_persons, null AS path_kinds, 'flags ' + p.flags AS detail
