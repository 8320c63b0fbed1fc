// Release (or break) the load lock held under $token; a lock another load took since is left alone.
MATCH (l:GraphriskLock {name: 'load', token: $token})
DELETE l
RETURN count(*) AS released
