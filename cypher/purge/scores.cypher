// purge/scores: remove the written-back score (every risk_* property of score/write_employee_scores) from
// up to $limit employees scored as of before $cut. Run until it returns 0.
MATCH (e:Employee)
WHERE e.risk_as_of < $cut
WITH e LIMIT $limit
REMOVE e.risk_score, e.risk_rank, e.risk_alert, e.risk_units, e.risk_peer_group, e.risk_parts,
       e.risk_reasons, e.risk_as_of, e.risk_window
RETURN count(*) AS deleted
