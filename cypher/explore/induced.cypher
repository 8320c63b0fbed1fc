// The relationships among the nodes in $nodes (a list of {label, key} maps) whose type is in $types:
// each found once, from its start node. $ids holds the same nodes as 'Label:key' strings (a list
// parameter, which Cypher tests membership of with a hash set); $keys maps labels to key properties.
UNWIND $nodes AS x
CALL (x) {
  WITH x WHERE x.label = 'Area' MATCH (n:Area {area_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Unit' MATCH (n:Unit {unit_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Person' MATCH (n:Person {person_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Employee' MATCH (n:Employee {employee_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Access' MATCH (n:Access {access_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Address' MATCH (n:Address {address_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Vehicle' MATCH (n:Vehicle {vehicle_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Case' MATCH (n:Case {case_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Action' MATCH (n:Action {action_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Organisation' MATCH (n:Organisation {organisation_id: x.key}) RETURN n
  UNION
  WITH x WHERE x.label = 'Shift' MATCH (n:Shift {shift_id: x.key}) RETURN n
}
MATCH (n)-[r]->(m)
WHERE type(r) IN $types AND labels(m)[0] IN $labels
WITH x, r, m, labels(m)[0] + ':' + m[$keys[labels(m)[0]]] AS target
WHERE target IN $ids
RETURN x.label + ':' + x.key AS source, target, type(r) AS type, properties(r) AS props
