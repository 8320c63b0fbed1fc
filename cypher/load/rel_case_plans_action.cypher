// (:Case)-[:PLANS]->(:Action) from case_actions rows.
// $rows: list of maps with s (the Case's case_id), e (the Action's action_id).
UNWIND $rows AS r
MATCH (a:Case {case_id: r.s})
MATCH (b:Action {action_id: r.e})
MERGE (a)-[x:PLANS]->(b)
