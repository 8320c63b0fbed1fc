// name: shared-targets
// description: Other employees who looked up the same persons as this employee (directly or
//   through a vehicle or address): who else was interested in the same people.
// category: network
// param: employee_id string  the employee
// param: limit int (default: 50) (range: 1..100000)  at most this many employees
MATCH (e:Employee {employee_id: $employee_id})-[:PERFORMED]->(:Access)-[:TARGETED]->(t)
CALL (t) {
  WITH t WHERE t:Person
  RETURN t AS p
  UNION
  MATCH (t:Vehicle)-[:REGISTERED_TO]->(p:Person)
  RETURN p
  UNION
  MATCH (t:Address)<-[:LIVES_AT]-(p:Person)
  RETURN p
}
WITH DISTINCT e, p
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
MATCH (other:Employee)-[:PERFORMED]->(a)
WHERE other <> e
WITH other, count(DISTINCT p) AS shared_persons, count(a) AS lookups, collect(DISTINCT p.person_id)[..10] AS some
OPTIONAL MATCH (other)-[:WORKS_IN]->(u:Unit)
RETURN other.employee_id AS employee_id, u.name AS unit, shared_persons, lookups, some AS persons
ORDER BY shared_persons DESC, lookups DESC, employee_id
LIMIT $limit
