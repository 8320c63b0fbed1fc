"""graphrisk's one exception hierarchy.

The library raises these; only :mod:`graphrisk.cli` turns them into friendly
one-line messages and exit codes. Nothing else catches and re-raises them::

    GraphriskError                 base of everything graphrisk raises on purpose
     +-- UsageError                a bad option, parameter or name given by the user
     +-- OutputError               an output file cannot be written (no permission, disk full, ...)
     +-- DataError                 a data set breaks the contract (carries every Problem)
     +-- StoreError                the store cannot be opened, read or written
     |    +-- StoreNotFoundError   no data loaded yet in the chosen store
     |    +-- StoreBusyError       another process is loading the store (its write lock is held)
     |    +-- Neo4jUnavailableError the Neo4j server cannot be reached
     +-- QueryError                a Cypher query is malformed, refused or misses parameters
     |    +-- QueryRefusedError    not a read of the graph (LOAD CSV, administration, a procedure
     |    |    |                   off the allow-list): refused before it was sent
     |    |    +-- WriteRefusedError a read-only query tried to write; nothing was changed
     |    +-- QueryTimeoutError    a query ran past its time limit and was stopped
     +-- PrivacyError              the site key, access file or audit log is missing or unusable
          +-- AccessDeniedError    the acting user's role does not allow it (or a reveal without reason)
          +-- AuditLogBrokenError  the audit log fails verification (tampered, truncated, cut short)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AccessDeniedError",
    "AuditLogBrokenError",
    "DataError",
    "GraphriskError",
    "Neo4jUnavailableError",
    "OutputError",
    "PrivacyError",
    "Problem",
    "QueryError",
    "QueryRefusedError",
    "QueryTimeoutError",
    "StoreBusyError",
    "StoreError",
    "StoreNotFoundError",
    "UsageError",
    "WriteRefusedError",
]


class GraphriskError(Exception):
    """Base class of every error graphrisk raises on purpose."""

    exit_code = 1


class UsageError(GraphriskError):
    """The user asked for something that does not exist or does not fit."""

    exit_code = 2


class OutputError(GraphriskError):
    """An output file cannot be written: the message names the file and the cause.

    Exit code 1: the user's disk or folder, not their options or data, is at fault.
    """


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file.

    ``line`` is the physical line in a CSV file (the header is line 1) or the
    1-based row number in a Parquet file; ``column`` is the 1-based column
    index. Either is ``None`` when the problem concerns the whole file or
    the whole column.
    """

    file: str
    line: int | None
    column: int | None
    column_name: str | None
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.column is not None:
            where += f": column {self.column}"
        what = f"{self.column_name}: " if self.column_name else ""
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {tag}{what}{self.message}"


class DataError(GraphriskError):
    """A data set breaks the input contract; ``problems`` lists every problem found."""

    exit_code = 3

    def __init__(self, problems: list[Problem], *, total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        n = self.total
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the data set")


class StoreError(GraphriskError):
    """The store cannot be opened, read or written."""

    exit_code = 4


class StoreNotFoundError(StoreError):
    """Nothing has been loaded into the chosen store yet."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock, and waiting for it timed out."""


class Neo4jUnavailableError(StoreError):
    """The Neo4j server cannot be reached."""


class QueryError(GraphriskError):
    """A Cypher query is malformed, refused by the server, or misses parameters."""

    exit_code = 5


class QueryRefusedError(QueryError):
    """A query that does more than read the graph; refused before it was sent."""


class WriteRefusedError(QueryRefusedError):
    """A query run as read-only tried to write; nothing was changed."""


class QueryTimeoutError(QueryError):
    """A query ran past its time limit and was stopped; nothing was changed."""


class PrivacyError(GraphriskError):
    """The site key, the access file or the audit log is missing, unreadable or malformed."""

    exit_code = 6


class AccessDeniedError(PrivacyError):
    """The acting user's role does not allow the action, or a reveal came without a reason."""

    exit_code = 7


class AuditLogBrokenError(PrivacyError):
    """The audit log fails verification; ``line`` is the first broken entry (None: the whole log)."""

    exit_code = 8

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)
