// pre-action-lookup: a no-need-to-know access (as open-case-no-need-to-know) within $window_hours
// before a planned action of that case (action.ts - window <= access.ts < action.ts).
// Names the nearest upcoming action (the earliest; ties by kind). Always critical.
// Only cases with a planned action are looked at; each way an access reaches such a case is
// matched on its own (accesses in the window, $since <= ts < $until, both always set).
CALL () {
  MATCH (a:Access)
  WHERE a.ts >= $since AND a.ts < $until
  MATCH (e:Employee)-[:PERFORMED]->(a)-[:TARGETED]->(k:Case)
  WHERE EXISTS { (k)-[:PLANS]->(:Action) }
  RETURN e, a, k, null AS p
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(p:Person)-[:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until AND EXISTS { (k)-[:PLANS]->(:Action) }
  RETURN e, a, k, p
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p:Person)-[:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until AND EXISTS { (k)-[:PLANS]->(:Action) }
  RETURN e, a, k, p
  UNION
  MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p:Person)-[:SUBJECT_OF]->(k:Case)
  USING JOIN ON p
  WHERE a.ts >= $since AND a.ts < $until AND EXISTS { (k)-[:PLANS]->(:Action) }
  RETURN e, a, k, p
}
WITH e, a, k, p
WHERE k.opened_on <= date(a.ts)
  AND ((k.closed_on IS NOT NULL AND date(a.ts) <= k.closed_on) OR (k.closed_on IS NULL AND k.status = 'open'))
  AND NOT EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:OWNED_BY]-(k) }
  AND NOT EXISTS {
    MATCH (e)-[asg:ASSIGNED_TO]->(k)
    WHERE {{assigned-on-the-day}}
  }
  AND (p IS NULL OR NOT {{justified-for-person}})
MATCH (k)-[:PLANS]->(x:Action)
WHERE a.ts < x.ts AND a.ts >= x.ts - duration({hours: $window_hours})
WITH e, a, k, p, x
ORDER BY x.ts, x.kind
WITH e, a, k, p, collect(x)[0] AS next
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, p.person_id AS person_id, k.case_id AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, next.ts AS action_ts, next.action_id AS action_id, 'critical' AS severity, null AS path_persons,
       null AS path_kinds, next.kind + ' planned' AS detail
