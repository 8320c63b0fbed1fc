// findings/stale: a full load or a purge changes what the stored findings were detected on: the next
// incremental detection detects every day again, and no score reads them until then.
MATCH (s:FindingsState {id: 'findings'})
SET s.loads = coalesce(s.loads, 0) + 1, s.stale = true
