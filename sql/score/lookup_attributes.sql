-- name: lookup_attributes
-- description: For each finding row (the input scored: finding_row, access_id), whether its look-up
--   cites a case and whether it is an export. A look-up outside the window is neither.
-- uses: accesses, scored
-- inputs: scored
SELECT f.finding_row, a.case_id IS NOT NULL AS is_cited, COALESCE(a.action = 'export', FALSE) AS is_export
FROM scored f
JOIN accesses a ON a.access_id = f.access_id
