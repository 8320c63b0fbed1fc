// score/written_counts: what write-back left in the graph (scored employees, findings and their links).
CALL () { MATCH (e:Employee) WHERE e.risk_score IS NOT NULL RETURN count(e) AS employees }
CALL () { MATCH (f:Finding) RETURN count(f) AS findings }
CALL () { MATCH (:Employee)-[h:HAS_FINDING]->(:Finding) RETURN count(h) AS has_finding }
CALL () { MATCH (:Finding)-[c:CONCERNS]->(:Access) RETURN count(c) AS concerns }
RETURN employees, findings, has_finding, concerns
