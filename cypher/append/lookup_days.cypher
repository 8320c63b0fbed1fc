// The UTC days of stored look-ups any of $filters selects (graphrisk.store.append.LookupFilter.to_param):
// by one of f.employees, of one of f.targets ([target_type, target_id]), citing one of f.cases, or
// every look-up (f.every), with ts in [f.start, f.end) where those are given. One scan of Access.
MATCH (a:Access)
WHERE any(f IN $filters WHERE
        (f.every OR a.employee_id IN f.employees OR a.case_id IN f.cases
         OR [a.target_type, a.target_id] IN f.targets)
        AND (f.start IS NULL OR a.ts >= f.start)
        AND (f.end IS NULL OR a.ts < f.end))
RETURN DISTINCT toString(date(a.ts)) AS day
