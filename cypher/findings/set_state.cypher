// findings/set_state: record the state of the stored findings after a publication ($state: a map of
// fingerprint, days, batches, shifted, detected_at, writing). They are stale when a full load or a
// purge counted itself ($loads_seen: the count the run saw when it planned) while the run detected.
MERGE (s:FindingsState {id: 'findings'})
SET s += $state
SET s.stale = coalesce(s.loads, 0) <> $loads_seen
