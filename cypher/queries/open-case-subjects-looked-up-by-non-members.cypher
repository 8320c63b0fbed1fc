// name: open-case-subjects-looked-up-by-non-members
// description: Look-ups, while the case was open, of an open case's file or its subjects (directly
//   or through their vehicle or address) by employees neither assigned to the case that day nor in
//   its owning unit.
// category: cases
// param: case_id string  the case
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
MATCH (k:Case {case_id: $case_id})
CALL (k) {
  MATCH (a:Access)-[:TARGETED]->(k)
  RETURN a, null AS p, 'case file' AS via
  UNION
  MATCH (p:Person)-[:SUBJECT_OF]->(k)
  CALL (p) {
    MATCH (a:Access)-[:TARGETED]->(p)
    RETURN a, 'person' AS via
    UNION
    MATCH (a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p)
    RETURN a, 'vehicle' AS via
    UNION
    MATCH (a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p)
    RETURN a, 'address' AS via
  }
  RETURN a, p, via
}
MATCH (e:Employee)-[:PERFORMED]->(a)
WHERE k.opened_on <= date(a.ts)
  AND ((k.closed_on IS NOT NULL AND date(a.ts) <= k.closed_on) OR (k.closed_on IS NULL AND k.status = 'open'))
  AND NOT EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:OWNED_BY]-(k) }
  AND NOT EXISTS {
    MATCH (e)-[asg:ASSIGNED_TO]->(k)
    WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
  }
OPTIONAL MATCH (p)-[s:SUBJECT_OF]->(k)
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
RETURN a.ts AS ts, e.employee_id AS employee_id, u.name AS unit, a.system AS system, a.action AS action,
       via, p.person_id AS subject_id, p.name AS subject, s.role AS subject_role, p.flags AS flags,
       a.access_id AS access_id
ORDER BY ts, access_id
LIMIT $limit
