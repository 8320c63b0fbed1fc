// Merge Employee nodes from employees rows; $rows: list of maps with employee_id, rank, role, start_date, end_date.
UNWIND $rows AS r
MERGE (n:Employee {employee_id: r.employee_id})
SET n.rank = r.rank,
    n.role = r.role,
    n.start_date = r.start_date,
    n.end_date = r.end_date
