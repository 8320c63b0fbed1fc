// findings/writing: record that the days $days are being rewritten, before their findings are
// deleted: a run that stops half-way leaves them listed, and no score reads them.
MERGE (s:FindingsState {id: 'findings'})
ON CREATE SET s.fingerprint = '', s.days = [], s.batches = [], s.shifted = [], s.loads = 0, s.stale = false
SET s.writing = coalesce(s.writing, []) + [d IN $days WHERE NOT d IN coalesce(s.writing, [])]
