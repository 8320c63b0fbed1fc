-- name: open-case-no-need-to-know
-- description: See the view no_need_to_know. critical for a top-sensitivity case; high for a high
--   one, an informant subject, or a protected, informant or undercover person; medium otherwise.
-- uses: no_need_to_know
SELECT employee_id, access_id, ts, target_type, target_id, person_id, case_id,
       CASE
         WHEN sensitivity = 'top' THEN 'critical'
         WHEN sensitivity = 'high' OR role = 'informant'
              OR flags LIKE '%informant%' OR flags LIKE '%protected%' OR flags LIKE '%undercover%'
           THEN 'high'
         ELSE 'medium'
       END AS severity
FROM no_need_to_know
