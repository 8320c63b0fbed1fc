-- name: accesses
-- description: The look-ups in the window ($since <= ts < $until) with day, the UTC date of ts
--   (as a midnight timestamp, comparable with the contract's dates).
-- uses: all_accesses
-- params: since, until
SELECT *
FROM all_accesses
WHERE ts >= $since AND ts < $until
