// The stored content of the Access nodes among $ids (one batch of a data set's access ids), read
// before a load writes anything: an access event never changes, so a load that gives a stored
// access_id other content is refused (graphrisk.store.base.access_conflicts compares).
UNWIND $ids AS id
MATCH (n:Access {access_id: id})
RETURN n.access_id AS access_id,
       n.ts AS ts,
       n.employee_id AS employee_id,
       n.system AS system,
       n.target_type AS target_type,
       n.target_id AS target_id,
       n.action AS action,
       n.case_id AS case_id
