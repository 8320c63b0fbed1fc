"""The catalogue of bad inputs, hostile uses and failures graphrisk is tested against.

docs/reliability.md shows it as a table; ``tests/test_reliability.py`` fails when
the table there differs from :func:`render`, and when a case is not named by any
test through :func:`covers`. Rewrite the table with ``python tests/reliability.py``.

A test names the case it proves with the decorator::

    @covers("concurrent-loads")
    def test_two_loads_at_once_keep_both(...): ...

Every ``tests/data/bad/CASE`` directory (a malformed data set with its ``_expect``
messages) is a case too, listed automatically under "Malformed data sets".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "data" / "bad"
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- BEGIN GENERATED: reliability -->", "<!-- END GENERATED: reliability -->"


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    tried: str
    result: str


# One row per class of bad input or failure; keep them grouped by area, in the order of the doc.
CASES: list[Case] = [
    # Add cases here: Case("id", "Area", "what was tried", "what graphrisk does").
    Case(
        "concurrent-loads",
        "Loads and the embedded store",
        "two loads into one embedded store at once, each with its own new look-ups",
        "the second waits for the first (up to `GRAPHRISK_LOCK_WAIT` seconds, default 60); "
        "both row sets are kept",
    ),
    Case(
        "concurrent-load-refused",
        "Loads and the embedded store",
        "a second load while one runs, not allowed to wait (`GRAPHRISK_LOCK_WAIT=0`)",
        "exit 4 naming the store and the holder (pid, host, command, since when); nothing written",
    ),
    Case(
        "lock-wait-invalid",
        "Loads and the embedded store",
        "`GRAPHRISK_LOCK_WAIT=soon`",
        "exit 2: it must be a number of seconds",
    ),
    Case(
        "read-during-load",
        "Loads and the embedded store",
        "`stats`, `score` and a reader of several tables while a load replaces the store",
        "each reads the one version it opened first, whole: the old store or the new, never a mix",
    ),
    Case(
        "crash-during-load",
        "Loads and the embedded store",
        "the load process killed at each of its 8 steps (`GRAPHRISK_FAULT=embedded-swap:STEP`)",
        "`stats`, `detect`, `score` work on the old store (the new one once the manifest is replaced); "
        "the load run again completes, equals a clean load and removes every leftover",
    ),
    Case(
        "old-layout-store",
        "Loads and the embedded store",
        "a store from before the versioned layout, intact or broken mid-swap by a crash "
        "(no `tables/` but `.tables-old-PID`; new tables under the old manifest; a `.tables-new-PID` left)",
        "read from the directory that matches its manifest; the next load writes the new layout, "
        "the one after removes the old directories",
    ),
    Case(
        "access-id-changed",
        "Loads and the embedded store",
        "a reload that gives a stored access_id another employee or another time (and adds a new look-up)",
        "exit 3 with file:line and both values, nothing written (not the new look-up either), the same on "
        "Neo4j; identical rows are skipped",
    ),
    Case(
        "append-access-changed",
        "Loads and the embedded store",
        "`load --append` of a batch whose access_log repeats a stored access_id with another employee",
        "exit 3 with file:line and both values; nothing written (not the batch's new look-ups either)",
    ),
    Case(
        "append-dangling-reference",
        "Loads and the embedded store",
        "`load --append` of a batch whose look-up names an employee, person or case in neither the batch "
        "nor the store",
        "exit 3: `access_log.csv:5:3: employee_id: 'E77' is not an id in employees` (each such field); "
        "nothing written. Ids the store holds are accepted",
    ),
    Case(
        "append-crash",
        "Loads and the embedded store",
        "`load --append` killed while writing its new part files, after them, or after its manifest "
        "(`GRAPHRISK_FAULT=embedded-swap:STEP`)",
        "the store reads as before the append; running the append again completes it and equals a load "
        "of base and batch together; no leftovers",
    ),
    Case(
        "neo4j-uri-scheme",
        "Neo4j loads",
        "`NEO4J_URI=http://x graphrisk stats` (before: the driver's PreviewWarning, then a "
        "ModuleNotFoundError traceback), also `https://`, `ftp://`, no scheme, no host",
        "exit 2 before a driver is made: the URI and the schemes graphrisk accepts (bolt, bolt+s, "
        "bolt+ssc, neo4j, neo4j+s, neo4j+ssc); no warning",
    ),
    Case(
        "neo4j-one-lookup-one-employee",
        "Neo4j loads",
        "loads and a reload reusing an access id for another employee (before: two `PERFORMED` for one "
        "`Access`)",
        "refused before any write; Neo4j and the embedded store end with the same graph, one employee "
        "and one target per access",
    ),
    Case(
        "neo4j-concurrent-loads",
        "Neo4j loads",
        "two loads into Neo4j at once, each adding access ids X0000001-X0000300 for a different employee "
        "(before: both exit 0, each `Access` with two `PERFORMED`)",
        "one load at a time (a `GraphriskLock` node under a uniqueness constraint): the second waits, "
        "then is refused (exit 3, file and line); one employee per access",
    ),
    Case(
        "neo4j-load-lock-held",
        "Neo4j loads",
        "a load into Neo4j while another host's load holds the lock, not allowed to wait "
        "(`GRAPHRISK_LOCK_WAIT=0`)",
        "exit 4 naming the server and the holder (pid, host, command, since when) and `--break-lock`; "
        "`load --break-lock` removes the lock and loads",
    ),
    Case(
        "neo4j-load-lock-stale",
        "Neo4j loads",
        "a load into Neo4j after a load on this host died holding the lock (`kill -9`)",
        "the lock of a process that no longer runs is taken over; the load completes",
    ),
    Case(
        "append-neo4j",
        "Neo4j loads",
        "the tiny preset loaded without its last day, then `load --append` of that day with a closed case "
        "and a backdated assignment; the same batch again",
        "the same nodes and relationships (every property) as a load of the union, the same report as "
        "the embedded store; the second append writes nothing",
    ),
    Case(
        "append-neo4j-failure",
        "Neo4j loads",
        "an append to Neo4j failing after its record, after its first table or after all its writes "
        "(`GRAPHRISK_FAULT=neo4j-append:STEP`); one killed mid-way (`:exit`)",
        "a failure is undone (updated rows restored, added ones removed, no record): the graph is as "
        "before; a killed append is completed by running it again, keeping the days it recorded",
    ),
    Case(
        "neo4j-interrupted-concurrent-load",
        "Neo4j loads",
        "a load into Neo4j stopped after the second batch of a loader, with one or two batches in flight",
        "no further batch is sent, the one in flight is waited for; loading again completes the graph",
    ),
    Case(
        "neo4j-bulk-import-bad-data",
        "Neo4j loads",
        "`graphrisk neo4j import` of a data set that breaks the contract",
        "exit 3 with file:line:column, as `load`; the importer is not run, the database not touched",
    ),
    Case(
        "neo4j-bulk-import-refused",
        "Neo4j loads",
        "`graphrisk neo4j import` into a database that exists, without `--replace`; an importer that "
        "is missing or fails",
        "exit 4 with the importer's own reason (`Database already exist`) and the hint `--replace`, "
        "nothing changed; a missing neo4j-admin is exit 2 naming it; no traceback",
    ),
    Case(
        "store-foreign-folder",
        "Files on disk",
        "`load --store DIR` into an existing folder holding other files, e.g. a shared 2775 folder, "
        "`--store .` or `~` (before: narrowed to 0700, its group access and setgid bit lost)",
        "exit 2: the folder is not a graphrisk store (no manifest.json, tables-* or write.lock); nothing "
        "written, its mode unchanged; an empty folder is used with its mode left alone",
    ),
    Case(
        "store-file-modes",
        "Files on disk",
        "a load under umask 022 (`persons.parquet` holds names and birth dates)",
        "store files 0600, directories 0700 (the store directory narrowed too); "
        "`GRAPHRISK_FILE_MODE=640` opens them to a group; `GRAPHRISK_FILE_MODE=777` is exit 2",
    ),
    Case(
        "output-file-modes",
        "Files on disk",
        "`detect --out`, `score --out` under umask 022",
        "the files 0600, a folder made for them 0700",
    ),
    Case(
        "audit-edit-field",
        "Audit log",
        "a field of one entry edited (the rows count)",
        "`audit verify` exits 8 naming the line: the entry does not match its hash",
    ),
    Case(
        "audit-edit-rehashed",
        "Audit log",
        "an entry edited and its hash and every later hash recomputed",
        "`audit verify` exits 8: the last entry does not match the chain head kept apart",
    ),
    Case(
        "audit-delete-line",
        "Audit log",
        "one line deleted from the middle",
        "`audit verify` exits 8 naming the next line: entry numbers skip",
    ),
    Case(
        "audit-swap-lines",
        "Audit log",
        "two lines swapped",
        "`audit verify` exits 8 naming the first swapped line",
    ),
    Case(
        "audit-truncate-tail",
        "Audit log",
        "the last entries cut off",
        "`audit verify` exits 8: fewer entries than the chain head records",
    ),
    Case(
        "audit-shorter-chain",
        "Audit log",
        "the whole log replaced by a consistent, shorter chain",
        "`audit verify` exits 8: the count and last hash differ from the chain head",
    ),
    Case(
        "audit-head-deleted",
        "Audit log",
        "the chain head deleted",
        "`audit verify` exits 8 naming the missing head; a later append does not hide it",
    ),
    Case(
        "audit-append-after-tampering",
        "Audit log",
        "commands keep appending after a line was deleted",
        "new entries chain to the head, not to the damaged tail: verify still names the deleted line",
    ),
    Case(
        "audit-concurrent-appends",
        "Audit log",
        "two processes appending 200 entries each at once",
        "every entry is kept and the chain verifies (appends hold an flock)",
    ),
    Case(
        "audit-interrupted-append",
        "Audit log",
        "a command killed between writing its entry (or the workspace's batch of up to 64) "
        "and the chain head",
        "verify accepts those entries when they chain to the head; the next append moves the head over them",
    ),
    Case(
        "key-overwrite",
        "Privacy",
        "`keys init` where a site key exists",
        "refused, exit 6, saying that a new key changes every pseudonym; `--force` replaces it",
    ),
    Case(
        "reveal-without-reason",
        "Privacy",
        "a reveal with an empty or blank reason",
        "refused, exit 7, and the refusal is logged",
    ),
    Case(
        "role-refusals",
        "Privacy",
        "each role tries every action its role does not allow",
        "refused, exit 7, naming user, role, the action and the roles that may",
    ),
    Case(
        "unknown-pseudonym",
        "Privacy",
        "a well-formed pseudonym that no employee has",
        "exit 2: no employee has it (written under another key?)",
    ),
    Case(
        "cypher-refused-before-sending",
        "Ad-hoc Cypher (Neo4j)",
        "each refused form below given to the guard alone (no server)",
        "refused with the class and words the CLI shows; the guard is a tokenizer (comments, strings, "
        "backtick names, `$parameters`), not patterns over the text",
    ),
    Case(
        "cypher-load-csv",
        "Ad-hoc Cypher (Neo4j)",
        "`graphrisk cypher \"LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row\"`, also in lower case, "
        "split by comments and newlines, after other clauses, in full-width letters",
        "exit 5 before anything is sent: `LOAD CSV reads files and URLs from the database server (line 1, "
        "column 1)`",
    ),
    Case(
        "cypher-load-csv-server",
        "Ad-hoc Cypher (Neo4j)",
        "the same `LOAD CSV` of `file:///etc/passwd` (and `../` tricks) with the client's guard bypassed",
        "the server refuses it: the launcher sets `dbms.security.allow_csv_import_from_file_urls=false` "
        "and an empty `server.directories.import`",
    ),
    Case(
        "cypher-admin-commands",
        "Ad-hoc Cypher (Neo4j)",
        "`SHOW TRANSACTIONS/USERS/SETTINGS/DATABASES/PROCEDURES/PRIVILEGES/SERVERS/ALIASES`, "
        "`TERMINATE TRANSACTIONS`, `CREATE USER/INDEX`, `DROP`, `ALTER`, `GRANT`, `START/STOP DATABASE` "
        "(also after `EXPLAIN`, `CYPHER` options or `UNION`), `USE system`",
        "exit 5 before anything is sent, naming the command (`SHOW TRANSACTIONS is an administration "
        "command`)",
    ),
    Case(
        "cypher-procedures",
        "Ad-hoc Cypher (Neo4j)",
        "`CALL dbms.listConfig()`, `dbms.listConnections`, `dbms.killConnections`, `db.clearQueryCaches`, "
        "backtick-quoted and mixed-case names, `apoc.*`",
        "exit 5 before anything is sent, naming the procedure and the allow-list (`db.labels`, "
        "`db.relationshipTypes`, `db.propertyKeys`, `db.schema.*`)",
    ),
    Case(
        "cypher-writes",
        "Ad-hoc Cypher (Neo4j)",
        "`CREATE`, `MERGE`, `SET`, `DETACH DELETE`, `REMOVE`, `FOREACH`, hidden behind comments and case",
        "exit 5 before anything is sent (`tries to write (SET at line 1, column 30)`); the READ "
        "transaction stays as a second barrier",
    ),
    Case(
        "cypher-in-transactions",
        "Ad-hoc Cypher (Neo4j)",
        "`CALL { ... } IN [CONCURRENT] TRANSACTIONS`, two statements separated by `;`, a query that starts "
        "with no clause, an unclosed string",
        "exit 5 before anything is sent, saying which",
    ),
    Case(
        "cypher-hidden-keywords",
        "Ad-hoc Cypher (Neo4j)",
        "`LOAD/* */CSV`, a no-break space, a `//` comment ended by a carriage return or U+2028, an escaped "
        "quote, random text inside a string literal (hypothesis)",
        "keywords outside strings are found however written; anything inside a string is data",
    ),
    Case(
        "cypher-allowed-reads",
        "Ad-hoc Cypher (Neo4j)",
        "reads with `LOAD CSV` or `SHOW USERS` in a string, a comment, backticks or a property; "
        "`CALL { MATCH ... RETURN ... }`, `CALL (e) { ... }`, `CALL db.labels()`, `start`/`stop` as names",
        "run on the server, exit 0",
    ),
    Case(
        "limit-timeout-query",
        "Query limits",
        "a query that runs for minutes with `--timeout 0.5` (or `GRAPHRISK_QUERY_TIMEOUT=0.3`); a named "
        "query after its command's time is used up",
        "stopped by the server at the limit, exit 5: `stopped after 0.5 s, the time limit of one "
        "command; ... --timeout SECONDS or GRAPHRISK_QUERY_TIMEOUT (default 60, at most 3600)`",
    ),
    Case(
        "limit-timeout-explore-paths",
        "Query limits",
        "`explore`, `export` and `paths` whose steps are slow, `--timeout 0.2`, on both stores",
        "exit 5 `explore: stopped after 0.2 s ...`; no file written",
    ),
    Case(
        "limit-explore-paths-bounds",
        "Query limits",
        "`explore --hops 1000000 --max-nodes 100000000` (before: 37 s, 891 MB, 1.95 million lines), "
        "`paths --max-hops 1000000` (before: not done after 120 s), `--per-group`, `--limit`, 0",
        "exit 2 naming the option and its range (`--hops` 1..6, `--max-nodes` 1..2000, `--per-group` "
        "1..100, `--max-hops` 1..8, paths `--limit` 1..50); the library refuses the same",
    ),
    Case(
        "limit-option-values",
        "Query limits",
        "`--max-rows 100001`, `--max-rows 0`, `--timeout 1e9`, `GRAPHRISK_QUERY_TIMEOUT=soon`",
        "exit 2 naming the option and its range",
    ),
    Case(
        "limit-int-parameters",
        "Query limits",
        "`query ... -p limit=99999999999999999999` (before: OverflowError traceback), `-p limit=-1` "
        "(before: a raw server error), `0`, `100001`, `-p max_hops=5`",
        "exit 2 before anything is sent: `-p limit=-1: must be from 1 to 100000` (each int parameter "
        "declares its range in the query's header)",
    ),
    Case(
        "cypher-int-parameter-range",
        "Query limits",
        "`cypher 'RETURN $n' -p n:int=99999999999999999999` (also 9223372036854775808, -9999…) "
        "(before: an OverflowError traceback)",
        "exit 2 naming the parameter and the 64-bit range; nothing sent",
    ),
    Case(
        "cypher-negative-limit",
        "Query limits",
        "`cypher 'MATCH (n) RETURN n LIMIT $n' -p n:int=-1`, or `SKIP $n` (before: exit 5 with the "
        "server's raw Neo.ClientError text)",
        "exit 5: a value the query cannot use for `$n (-p n=-1)`, with the server's reason",
    ),
    Case(
        "limit-rows",
        "Query limits",
        "ad-hoc and named queries returning more rows than `--max-rows` (default 1,000, at most 100,000)",
        'the first rows are shown, the rest discarded on the server; a note says so (`"truncated": true` '
        "in JSON), as Neo4j Browser's max rows does",
    ),
    Case(
        "out-not-a-folder",
        "Outputs",
        "`--out notes/sub/x.csv` where `notes` is a regular file, in `score`, `detect`, `export`, "
        "`paths` and `report` (before: a FileExistsError traceback)",
        "exit 1: `cannot write notes/sub/x.csv: notes is a file, not a folder`; the file is untouched",
    ),
    Case(
        "out-unwritable",
        "Outputs",
        "`--out` in a folder the user may not write (as root: `/sys`), in the same five commands "
        "(before: a PermissionError traceback)",
        "exit 1: `cannot write PATH: Permission denied`",
    ),
    Case(
        "out-disk-full",
        "Outputs",
        "the disk fills up half-way through writing `score`, `detect` or `export --out x.csv` over an "
        "earlier `x.csv`",
        "exit 1: `cannot write x.csv: no space left on the device; nothing was written`; the earlier "
        "file is kept whole and no temporary file is left",
    ),
    Case(
        "out-is-a-directory",
        "Outputs",
        "`--out` naming an existing folder",
        "exit 2: the option's value is a directory",
    ),
    Case(
        "stdout-full",
        "Outputs",
        "standard output on a full device (`> /dev/full`) (before: an OSError traceback)",
        "exit 1: `cannot write to standard output: No space left on device`",
    ),
    Case(
        "generate-unwritable",
        "Outputs",
        "`generate` into a path under a regular file (before: a NotADirectoryError traceback)",
        "exit 1 before any generating: `cannot write into PATH: notes is a file, not a folder`",
    ),
    Case(
        "csv-formulas",
        "Outputs",
        "ids and names starting with `=`, `@`, `-` (`=E1`, `=HYPERLINK(...)`, `@SUM(...)|' /C calc'!A0`, "
        "and the id `-5`) in `detect`, `score`, `export --out x.csv` and `query/cypher --format csv`",
        "such text cells get a leading `'` (OWASP CSV injection); numbers and text that reads as a plain "
        "number (`-5`) are left as they are; `explain`, `report` and `evaluate` read the files back to "
        "the original values",
    ),
    Case(
        "export-control-characters",
        "Outputs",
        "a NUL or escape character left in a node's id or name (from a store loaded before `load` "
        "refused them) exported as GraphML and GEXF (before: invalid XML, exit 0)",
        "valid XML, the character written as the visible text `\\x00`",
    ),
    Case(
        "dataset-path",
        "Input files",
        "`load` of a path that does not exist, is a file, a symbolic link loop or a dangling link "
        '(before: "is not a directory" for all four)',
        "exit 3 saying which: `does not exist`, `is a file, not a directory`, `is a symbolic link "
        "that loops back on itself`, `is a symbolic link to X, which does not exist`",
    ),
    Case(
        "data-file-not-regular",
        "Input files",
        "`persons.csv` as a symbolic link loop, a named pipe, a directory or a dangling link "
        '(before: "required file is missing"; a pipe would block a reader for ever)',
        "exit 3: `persons.csv: is a named pipe (FIFO), not a file` (and so on), never read",
    ),
    Case(
        "data-file-unreadable",
        "Input files",
        "a data file the user may not read (before: a PermissionError traceback)",
        "exit 3, with every other problem: `persons.csv: cannot be read (Permission denied)`",
    ),
    Case(
        "latin1-field",
        "Input files",
        "a Latin-1 byte in the fourth field of a line, after a quoted comma (before: the column was "
        "the character offset, 30)",
        "exit 3: `units.csv:4:4: area_id: not valid UTF-8 (byte 0xe9)`: the field's number and name",
    ),
    Case(
        "implausible-dates-parquet",
        "Input files",
        "a Parquet access log with a timestamp in year 9999 (before: loaded; `score` and `explain` then "
        "crashed with OutOfBoundsDatetime)",
        "exit 3: `access_log.parquet:3:2: ts: ... is outside the plausible span 1900-01-01 to 2100-12-31`",
    ),
    Case(
        "input-file-wrong",
        "Input files",
        "`--scores`/`--findings`/`--file` and `evaluate` arguments that do not exist, are a named pipe, "
        "another table, a scores file given as findings, corrupt Parquet or JSON (before: KeyError, "
        "ArrowInvalid and JSONDecodeError tracebacks; a pipe blocked for ever)",
        "exit 2 naming the file and what it is, or the columns it lacks",
    ),
    Case(
        "empty-dataset",
        "Input files",
        "`load` of an empty directory",
        "exit 3 listing each required file as missing; nothing written",
    ),
    Case(
        "absurd-options",
        "Options",
        "`--window 0d`, `-3d`, `80000d`, `99999999999999d` (before: an OutOfBoundsTimedelta traceback), "
        '`--top -1`, `--threshold nan` (before: accepted, "0 at or above nan"), `--threshold 101`, '
        "`--as-of yesterday`, `report --top 0`, unknown `--out` endings",
        "exit 2 naming the option and what it takes; a window is at most the contract's span "
        "(73,414 days); far `--as-of`/`--since` dates give an empty window, not an error",
    ),
    Case(
        "fairness-group-file-in-dataset",
        "Fairness report",
        "an audit-only group file (`audit_groups.csv`, `*.audit_groups.csv`, `.parquet`) inside a data set",
        "`load` exits 3 naming the file: group attributes never reach a store; nothing written",
    ),
    Case(
        "fairness-bad-group-file",
        "Fairness report",
        "a group file with a missing or extra column, an empty id or group, a listed-twice employee, a "
        "control character, a wrong field count, no rows, no scored employee, or bytes that are not UTF-8",
        "exit 3, each problem as file:line:column (a duplicate names its first line); no traceback",
    ),
    Case(
        "fairness-mixed-ids-without-key",
        "Fairness report",
        "a group file of pseudonyms beside a scores file of ids, without a site key",
        "exit 6: joining them needs the site key, and how to create one",
    ),
    Case(
        "purge-removes-what-is-older",
        "Retention",
        "`graphrisk purge --older-than 20d --as-of 2026-03-31` on a 20-day world, on either store",
        "removes exactly the look-ups before the cut (with their relationships), the shifts and case "
        "assignments that ended before it and the departed employee with nothing left, as counted from "
        "the data set; persons, cases and other registrations stay",
    ),
    Case(
        "purge-idempotent",
        "Retention",
        "the same purge run a second time",
        "removes nothing (total 0); the embedded store publishes no new version",
    ),
    Case(
        "purge-dry-run",
        "Retention",
        "`purge --dry-run`",
        "the store's counts are unchanged, and it reports exactly what the real purge then removes",
    ),
    Case(
        "purge-stores-agree",
        "Retention",
        "the same data set and purge on Neo4j and the embedded store",
        "equal node and relationship counts, the same access ids left, and the same scores afterwards",
    ),
    Case(
        "purge-scoring-after",
        "Retention",
        "`score` on a purged store",
        "scores every employee as before (the purge leaves no dangling reference)",
    ),
    Case(
        "purge-write-back",
        "Retention",
        "a purge on Neo4j after `score --write-back`",
        "removes the findings about look-ups before the cut (none left concerning a removed look-up), "
        "and the `risk_*` scores once the scoring run itself is older than the period",
    ),
    Case(
        "purge-refused-role",
        "Retention",
        "`purge` by an analyst, liaison, batch job or auditor",
        "exit 7 naming user, role and the roles that may (admin); logged as refused; nothing removed",
    ),
    Case(
        "purge-audited",
        "Retention",
        "a purge by an admin",
        "one audit entry with the cut, the counts per kind and no subjects; the log itself is never purged",
    ),
    Case(
        "purge-bad-period",
        "Retention",
        "`--older-than 18`, `0m`, `18min`, `-3d`, `eighteen months`, `9999y`",
        "exit 2 with the forms it takes (540d, 78w, 18m, 2y; m is months); no traceback",
    ),
    Case(
        "extra-columns-not-stored",
        "Retention",
        "a data set whose employees.csv has `religion` and `nationality` and persons.csv `ethnicity`",
        "loads with a warning naming them; neither store holds them (no Parquet column, no Neo4j "
        "property, no value anywhere)",
    ),
]


def covers(case_id: str):
    """Mark a test as the proof of a catalogue case (an unknown id fails at import)."""
    if case_id not in {c.id for c in CASES}:
        raise KeyError(f"{case_id!r} is not in tests/reliability.py CASES")
    return pytest.mark.reliability(case_id)


def bad_dataset_cases() -> list[Case]:
    cases = []
    for case in sorted(p for p in BAD.iterdir() if p.is_dir()):
        first = (case / "_expect").read_text(encoding="utf-8").strip().splitlines()[0]
        cases.append(
            Case(
                f"bad-data:{case.name}",
                "Malformed data sets",
                f"`tests/data/bad/{case.name}`",
                f"refused, nothing written: `{first}`",
            )
        )
    return cases


def all_cases() -> list[Case]:
    return [*CASES, *bad_dataset_cases()]


def render() -> str:
    out = []
    area = None
    for case in all_cases():
        if case.area != area:
            area = case.area
            out.append(f"\n### {area}\n\n| case | tried | result |\n|---|---|---|\n")
        cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out.append(f"| `{case.id}` | {cell(case.tried)} | {cell(case.result)} |\n")
    return "".join(out).lstrip("\n")


def rewrite(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(rewrite(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
