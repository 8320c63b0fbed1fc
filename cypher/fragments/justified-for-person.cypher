// fragment justified-for-person: the access a cites a case that names the person p as a subject,
// and the employee e is assigned to that case on the day (what every rule about whom leaves out).
// Binds: a, e, p.
EXISTS {
  MATCH (a)-[:JUSTIFIED_BY]->(c:Case)
  WHERE EXISTS { (p)-[:SUBJECT_OF]->(c) }
    AND EXISTS {
      MATCH (e)-[asg:ASSIGNED_TO]->(c)
      WHERE {{assigned-on-the-day}}
    }
}
