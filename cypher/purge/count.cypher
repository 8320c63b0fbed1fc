// purge/count: what a purge with this $cut (and $cut_day, its UTC day) would remove, and the look-ups it
// would leave; used by --dry-run. Each predicate is the one of its purge/ statement.
CALL () { MATCH (a:Access) WHERE a.ts < $cut RETURN count(a) AS accesses }
CALL () { MATCH (a:Access) WHERE NOT a.ts < $cut OR a.ts IS NULL RETURN count(a) AS accesses_left }
CALL () { MATCH (s:Shift) WHERE s.end_ts < $cut RETURN count(s) AS shifts }
CALL () {
  MATCH (:Employee)-[x:ASSIGNED_TO]->(:Case) WHERE x.end_date < $cut_day RETURN count(x) AS case_assignments
}
CALL () {
  MATCH (e:Employee)
  WHERE e.end_date < $cut_day
    AND NOT EXISTS { MATCH (e)-[:PERFORMED]->(a:Access) WHERE NOT a.ts < $cut }
    AND NOT EXISTS { MATCH (e)-[:WORKED]->(s:Shift) WHERE NOT s.end_ts < $cut }
    AND NOT EXISTS { MATCH (e)-[x:ASSIGNED_TO]->(:Case) WHERE x.end_date IS NULL OR NOT x.end_date < $cut_day }
  RETURN count(e) AS employees
}
CALL () { MATCH (f:Finding) WHERE f.ts < $cut OR f.as_of < $cut RETURN count(f) AS findings }
CALL () { MATCH (e:Employee) WHERE e.risk_as_of < $cut RETURN count(e) AS scores }
RETURN accesses, shifts, case_assignments, employees, findings, scores, accesses_left
