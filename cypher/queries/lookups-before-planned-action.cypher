// name: lookups-before-planned-action
// description: Look-ups of a case's file or its subjects in the hours before each planned raid,
//   arrest or search of the case, by anyone, saying whether the employee was on the case that day
//   or in its owning unit. Without a case id: every case with a planned action.
// category: cases
// param: case_id string (default: none)  the case (none: all cases)
// param: window_hours int (default: 72) (range: 1..8760)  hours before the action
// param: limit int (default: 200) (range: 1..100000)  at most this many look-ups
MATCH (k:Case)-[:PLANS]->(act:Action)
WHERE $case_id IS NULL OR k.case_id = $case_id
CALL (k) {
  MATCH (a:Access)-[:TARGETED]->(k)
  RETURN a, null AS p
  UNION
  MATCH (p:Person)-[:SUBJECT_OF]->(k)
  CALL (p) {
    MATCH (a:Access)-[:TARGETED]->(p)
    RETURN a
    UNION
    MATCH (a:Access)-[:TARGETED]->(:Vehicle)-[:REGISTERED_TO]->(p)
    RETURN a
    UNION
    MATCH (a:Access)-[:TARGETED]->(:Address)<-[:LIVES_AT]-(p)
    RETURN a
  }
  RETURN a, p
}
WITH k, act, a, p
WHERE act.ts - duration({hours: $window_hours}) <= a.ts < act.ts
MATCH (e:Employee)-[:PERFORMED]->(a)
RETURN k.case_id AS case_id, act.kind AS action, act.ts AS action_ts, a.ts AS ts,
       duration.inSeconds(a.ts, act.ts).seconds / 3600.0 AS hours_before, e.employee_id AS employee_id,
       EXISTS {
         MATCH (e)-[asg:ASSIGNED_TO]->(k)
         WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
       } AS on_case,
       EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:OWNED_BY]-(k) } AS owning_unit,
       a.target_type AS target_type, a.target_id AS target_id, p.person_id AS subject_id,
       a.access_id AS access_id
ORDER BY action_ts, ts, access_id
LIMIT $limit
