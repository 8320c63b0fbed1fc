-- name: criminal-proximity-access
-- description: The employee's own person record is within $max_hops relations of a member of a
--   criminal organisation, and the look-up resolves to a member of that organisation, or to a
--   subject of a case with a suspect (another person) who is a member; not justified by the
--   look-up's case. The path names the member with the shortest path, then the smallest id, through
--   the smallest intermediate person id. The target's link to the organisation is its own membership
--   if it has one, else the case with the smallest id, then its suspect with the smallest id.
-- uses: own_persons, own_paths, memberships, case_subjects, unjustified_targets
-- params: max_hops
WITH near AS (
  SELECT source, organisation_id, member_id, path_persons, path_kinds
  FROM (
    SELECT p.source, m.organisation_id, p.person_id AS member_id, p.path_persons, p.path_kinds,
           ROW_NUMBER() OVER (PARTITION BY p.source, m.organisation_id ORDER BY p.hops, p.person_id) AS pick
    FROM own_paths p
    JOIN memberships m ON m.person_id = p.person_id
    WHERE p.hops <= $max_hops
  ) ranked
  WHERE pick = 1
),
links AS (
  SELECT person_id, organisation_id, link_case_id, link_member_id
  FROM (
    SELECT l.*,
           ROW_NUMBER() OVER (PARTITION BY person_id, organisation_id
                              ORDER BY via_case, link_case_id, link_member_id) AS pick
    FROM (
      SELECT person_id, organisation_id, 0 AS via_case,
             CAST(NULL AS VARCHAR) AS link_case_id, CAST(NULL AS VARCHAR) AS link_member_id
      FROM memberships
      UNION ALL
      SELECT s.person_id, m.organisation_id, 1 AS via_case, s.case_id AS link_case_id,
             k.person_id AS link_member_id
      FROM case_subjects s
      JOIN case_subjects k ON k.case_id = s.case_id AND k.role = 'suspect'
      JOIN memberships m ON m.person_id = k.person_id
      WHERE s.person_id <> k.person_id
    ) l
  ) ranked
  WHERE pick = 1
)
SELECT t.employee_id, t.access_id, t.ts, t.target_type, t.target_id, t.person_id,
       l.organisation_id, l.link_case_id, l.link_member_id,
       'high' AS severity, n.path_persons, n.path_kinds
FROM unjustified_targets t
JOIN links l ON l.person_id = t.person_id
JOIN own_persons o ON o.employee_id = t.employee_id
JOIN near n ON n.source = o.own_person_id AND n.organisation_id = l.organisation_id
WHERE t.person_id <> o.own_person_id
