// findings/shifted: employees with at least one shift, and employees with look-ups but no shift.
MATCH (e:Employee)
WITH e, EXISTS { (e)-[:WORKED]->(:Shift) } AS shifted
WHERE shifted OR EXISTS { (e)-[:PERFORMED]->(:Access) }
RETURN e.employee_id AS employee_id, shifted
