// open-case-no-need-to-know: an access to a case open on the day of the access, or to a subject of
// one (directly or through their vehicle or address; subjects justified by the access's case left
// out), by an employee neither assigned to the case on that day nor in its owning unit.
// critical for a top-sensitivity case; high for high sensitivity, an informant subject, or a
// protected/informant/undercover person; medium otherwise.
// Each way an access reaches a case is matched on its own, so that the planner can join the
// accesses in the window ($since <= ts < $until, both always set) with the few case subjects.
CALL () {
  MATCH (a:Access)
  WHERE a.ts >= $since AND a.ts < $until
  MATCH (e:Employee)-[:PERFORMED]->(a)-[:TARGETED]->(k:Case)
  RETURN e, a, k, null AS p, null AS role
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(p:Person)-[s:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until
  RETURN e, a, k, p, s.role AS role
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p:Person)-[s:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until
  RETURN e, a, k, p, s.role AS role
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p:Person)-[s:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until
  RETURN e, a, k, p, s.role AS role
}
WITH e, a, k, p, role
WHERE k.opened_on <= date(a.ts)
  AND ((k.closed_on IS NOT NULL AND date(a.ts) <= k.closed_on) OR (k.closed_on IS NULL AND k.status = 'open'))
  AND NOT EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:OWNED_BY]-(k) }
  AND NOT EXISTS {
    MATCH (e)-[asg:ASSIGNED_TO]->(k)
    WHERE {{assigned-on-the-day}}
  }
  AND (p IS NULL OR NOT {{justified-for-person}})
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, k.case_id AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id,
       CASE
         WHEN k.sensitivity = 'top' THEN 'critical'
         WHEN k.sensitivity = 'high' OR role = 'informant'
              OR coalesce(p.flags, '') =~ '.*(informant|protected|undercover).*' THEN 'high'
         ELSE 'medium'
       END AS severity,
       null AS path_persons, null AS path_kinds, null AS detail
