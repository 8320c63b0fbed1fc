// One hop out from the nodes in $nodes (a list of {label, key} maps), both directions, along the
// relationship types in $types to nodes with a label in $labels. Per start node, relationship type
// and neighbour label: the number of distinct neighbours (total) and the first $limit of them by
// key (all when $limit is null), each with its properties and its relationships to the start node.
// $keys maps each label to its key property. The embedded store answers the same question in
// graphrisk/analyst/source.py; a test requires the same answer.
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
MATCH (n)-[r]-(m)
WHERE type(r) IN $types AND labels(m)[0] IN $labels
WITH x, n, type(r) AS type, labels(m)[0] AS label, m,
     collect({out: startNode(r) = n, props: properties(r)}) AS rels
WITH x, type, label, m[$keys[label]] AS key, properties(m) AS props, rels
ORDER BY key
WITH x, type, label, collect({key: key, props: props, rels: rels}) AS neighbours
RETURN x.label + ':' + x.key AS node, type, label, size(neighbours) AS total,
       CASE WHEN $limit IS NULL THEN neighbours ELSE neighbours[..$limit] END AS neighbours
