// fragment assigned-on-the-day: the assignment asg is active on the UTC day of the access a
// (started that day or before, not ended before it). Binds: asg, a.
asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)
