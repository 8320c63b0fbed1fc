// The nodes named in $nodes (a list of {label, key} maps), with their properties; missing ones are left out.
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
RETURN x.label + ':' + x.key AS id, x.label AS label, x.key AS key, properties(n) AS props
