// name: relation-path-to-organisation
// description: Employees whose own person record is within a few relation hops of a member of a
//   criminal organisation, with the shortest such path. Knowing someone is not misconduct: this is
//   context for the look-ups, never a signal by itself.
// category: network
// param: organisation_id string  the organisation
// param: max_hops int (default: 2) (range: 1..4)  the most relation hops
MATCH (o:Organisation {organisation_id: $organisation_id})<-[:MEMBER_OF]-(m:Person)
MATCH path = (m)-[:RELATED_TO*1..4]-(ep:Person)<-[:IS_PERSON]-(e:Employee)
WHERE length(path) <= $max_hops
WITH e, m, path
ORDER BY length(path), m.person_id
WITH e, head(collect({member: m, path: path})) AS best, count(DISTINCT m) AS members_reached
OPTIONAL MATCH (e)-[:WORKS_IN]->(u:Unit)
RETURN e.employee_id AS employee_id, e.rank AS rank, u.name AS unit, best.member.person_id AS member_id,
       best.member.name AS member, length(best.path) AS hops,
       [n IN reverse(nodes(best.path)) | n.person_id] AS path_persons,
       [r IN reverse(relationships(best.path)) | r.kind] AS path_kinds, members_reached
ORDER BY hops, employee_id
