// purge/case_assignments: delete up to $limit ASSIGNED_TO relationships whose end_date is a day before
// $cut_day (the UTC day of the cut). Run until it returns 0. Open assignments (no end_date) stay.
MATCH (:Employee)-[x:ASSIGNED_TO]->(:Case)
WHERE x.end_date < $cut_day
WITH x LIMIT $limit
DELETE x
RETURN count(*) AS deleted
