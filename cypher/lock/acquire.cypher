// Take the load lock: the one (:GraphriskLock {name: 'load'}) node, created in its own write
// transaction. The uniqueness constraint on GraphriskLock.name (schema.cypher) makes MERGE safe
// against a concurrent load: the second waits for the first to commit, then matches its node.
// Returns the holder: $token when this process now holds the lock, another load's token otherwise.
MERGE (l:GraphriskLock {name: 'load'})
ON CREATE SET l.token = $token, l.pid = $pid, l.host = $host, l.command = $command, l.since = $since
RETURN l.token AS token, l.pid AS pid, l.host AS host, l.command AS command, l.since AS since
