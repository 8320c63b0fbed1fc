// Nodes per label, one count-store look-up each (a test checks every label of the graph model is here).
MATCH (n:Area) RETURN 'Area' AS label, count(n) AS count
UNION ALL
MATCH (n:Unit) RETURN 'Unit' AS label, count(n) AS count
UNION ALL
MATCH (n:Person) RETURN 'Person' AS label, count(n) AS count
UNION ALL
MATCH (n:Employee) RETURN 'Employee' AS label, count(n) AS count
UNION ALL
MATCH (n:Access) RETURN 'Access' AS label, count(n) AS count
UNION ALL
MATCH (n:Address) RETURN 'Address' AS label, count(n) AS count
UNION ALL
MATCH (n:Vehicle) RETURN 'Vehicle' AS label, count(n) AS count
UNION ALL
MATCH (n:Case) RETURN 'Case' AS label, count(n) AS count
UNION ALL
MATCH (n:Action) RETURN 'Action' AS label, count(n) AS count
UNION ALL
MATCH (n:Organisation) RETURN 'Organisation' AS label, count(n) AS count
UNION ALL
MATCH (n:Shift) RETURN 'Shift' AS label, count(n) AS count
