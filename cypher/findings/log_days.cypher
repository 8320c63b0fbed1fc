// findings/log_days: the UTC days of every stored look-up, with the look-ups of each.
MATCH (a:Access)
RETURN toString(date(a.ts)) AS day, count(*) AS lookups
