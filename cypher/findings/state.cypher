// findings/state: the state of the stored findings (null when none were stored).
OPTIONAL MATCH (s:FindingsState {id: 'findings'})
RETURN CASE WHEN s IS NULL THEN null ELSE properties(s) END AS state
