// score/finding_constraint: Finding nodes are merged on finding_id (write-back of scoring).
CREATE CONSTRAINT finding_finding_id IF NOT EXISTS FOR (n:Finding) REQUIRE n.finding_id IS UNIQUE
