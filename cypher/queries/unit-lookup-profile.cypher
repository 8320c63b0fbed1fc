// name: unit-lookup-profile
// description: How a unit (and the units below it) uses the systems: look-ups per system, action
//   and target type, with the share that cites a case and the number of employees.
// category: look-ups
// param: unit_id string  the unit
// param: since datetime (default: none)  only look-ups at or after this moment
// param: until datetime (default: none)  only look-ups before this moment
MATCH (:Unit {unit_id: $unit_id})<-[:PART_OF*0..]-(:Unit)<-[:WORKS_IN]-(e:Employee)-[:PERFORMED]->(a:Access)
WHERE ($since IS NULL OR a.ts >= $since) AND ($until IS NULL OR a.ts < $until)
WITH a.system AS system, a.action AS action, a.target_type AS target_type, count(a) AS lookups,
     count(a.case_id) AS with_case, count(DISTINCT e) AS employees
RETURN system, action, target_type, lookups, employees, round(100.0 * with_case / lookups, 1) AS pct_with_case
ORDER BY lookups DESC, system, action, target_type
