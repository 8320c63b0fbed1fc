// findings/per_employee: the employee and time of every stored finding of the days $first to $last
// (either may be null: open), for counting each employee's findings in a window.
MATCH (f:StoredFinding)
WHERE ($first IS NULL OR f.day >= $first) AND ($last IS NULL OR f.day <= $last)
RETURN f.employee_id AS employee_id, f.ts AS ts
