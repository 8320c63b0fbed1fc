// outside-territory: the target's area (a person's residence, a vehicle's or an address's
// registered area) is not the area the employee's unit serves nor below it, and the access is not
// justified as a whole (a person it resolves to is a subject of the cited case the employee is
// assigned to that day, or it opens that very case).
// The window keeps its IS NULL guards: the plan they give (areas first, employees' territories
// hash-joined) was the fastest on the medium data set; an Access.ts index start was slower there.
MATCH (e:Employee)-[:PERFORMED]->(a:Access)-[:TARGETED]->(t)-[:LIVES_IN|REGISTERED_IN|IN_AREA]->(ar:Area)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
MATCH (e)-[:WORKS_IN]->(:Unit)-[:SERVES]->(terr:Area)
WHERE NOT EXISTS { MATCH (ar)-[:PART_OF*0..]->(terr) }
  AND NOT EXISTS {
    MATCH (a)-[:JUSTIFIED_BY]->(c:Case)<-[asg:ASSIGNED_TO]-(e)
    WHERE {{assigned-on-the-day}}
      AND {{case-covers-target}}
  }
RETURN e.employee_id AS employee_id, a.access_id AS access_id, a.ts AS ts, a.target_type AS target_type,
       a.target_id AS target_id, null AS person_id, null AS case_id, null AS organisation_id,
       null AS link_case_id, null AS link_member_id, null AS action_ts, null AS action_id, 'low' AS severity, null AS path_persons, null AS path_kinds,
       'target area ' + ar.area_id + ' outside ' + terr.area_id AS detail
