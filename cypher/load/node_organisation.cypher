// Merge Organisation nodes from organisations rows; $rows: list of maps with organisation_id, name, kind.
UNWIND $rows AS r
MERGE (n:Organisation {organisation_id: r.organisation_id})
SET n.name = r.name,
    n.kind = r.kind
