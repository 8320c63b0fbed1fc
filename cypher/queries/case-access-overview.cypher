// name: case-access-overview
// description: Who looked at a case: per employee, the look-ups of the case file and of its
//   subjects, first and last, and whether they were ever assigned to it or work in its owning unit.
// category: cases
// param: case_id string  the case
MATCH (k:Case {case_id: $case_id})
CALL (k) {
  MATCH (a:Access)-[:TARGETED]->(k)
  RETURN a, 'file' AS what
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
  RETURN a, 'subject' AS what
}
MATCH (e:Employee)-[:PERFORMED]->(a)
WITH k, e, count(CASE WHEN what = 'file' THEN 1 END) AS file_lookups,
     count(CASE WHEN what = 'subject' THEN 1 END) AS subject_lookups, min(a.ts) AS first, max(a.ts) AS last
RETURN e.employee_id AS employee_id, e.rank AS rank,
       EXISTS { MATCH (e)-[:ASSIGNED_TO]->(k) } AS ever_assigned,
       EXISTS { MATCH (e)-[:WORKS_IN]->(:Unit)<-[:OWNED_BY]-(k) } AS owning_unit,
       file_lookups, subject_lookups, first, last
ORDER BY ever_assigned, owning_unit, file_lookups + subject_lookups DESC, employee_id
