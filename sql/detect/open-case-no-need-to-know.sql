-- name: open-case-no-need-to-know
-- description: See the view no_need_to_know. critical for a top-sensitivity case; high for a high
--   one, an informant subject, or a protected, informant or undercover person; medium otherwise.
-- uses: no_need_to_know
SELECT employee_id, access_id, ts, target_type, target_id, person_id, case_id,
       CAST(NULL AS VARCHAR) AS organisation_id,
       CAST(NULL AS VARCHAR) AS link_case_id, CAST(NULL AS VARCHAR) AS link_member_id,
       CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS action_ts, CAST(NULL AS VARCHAR) AS action_id,
       CASE
         WHEN sensitivity = 'top' THEN 'critical'
         WHEN sensitivity = 'high' OR role = 'informant'
              OR flags LIKE '%informant%' OR flags LIKE '%protected%' OR flags LIKE '%undercover%'
           THEN 'high'
         ELSE 'medium'
       END AS severity,
       CAST(NULL AS VARCHAR[]) AS path_persons, CAST(NULL AS VARCHAR[]) AS path_kinds,
       CAST(NULL AS VARCHAR) AS detail
FROM no_need_to_know
