-- name: sensitive-target
-- description: A person the look-up resolves to carries a vip, protected, informant or undercover
--   flag, and the look-up's case does not justify looking that person up. high for protected,
--   informant and undercover; medium for vip alone. Flags are ';'-separated.
-- uses: unjustified_targets, persons
SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id,
       CASE WHEN ';' || p.flags || ';' LIKE '%;informant;%' OR ';' || p.flags || ';' LIKE '%;protected;%'
                 OR ';' || p.flags || ';' LIKE '%;undercover;%' THEN 'high'
            ELSE 'medium' END AS severity,
       'flags ' || p.flags AS detail
FROM unjustified_targets t
JOIN persons p ON p.person_id = t.person_id
WHERE p.flags IS NOT NULL
