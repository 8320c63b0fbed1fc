"""One command's privacy: role check, audit entry, pseudonyms of the store's employees, redaction.

Every command that reads the store goes through :func:`guarded`::

    with guarded("explain", action="explain", store=store, reveal=reveal) as guard:
        employee_id = guard.resolve(argument)         # EMP-… (any case) or an id
        ... compute ...
        guard.subjects([employee_id])                 # ids in, pseudonyms logged
        guard.done(rows=1)                            # the entry is written before anything is shown
        show(...)                                     # redacted at the output choke points

``guarded`` checks the role (and the extra actions, e.g. ``write-back``) before
anything else, tags Neo4j transactions with the user, and, unless the command is
revealed, activates a :class:`~graphrisk.privacy.redact.Redactor` for the store's
employees: the terminal, output files, graph files, HTML pages and the graph source
read it (``redact.active()``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from functools import cached_property

import pandas as pd

from graphrisk.errors import AccessDeniedError
from graphrisk.privacy.pseudonyms import PseudonymMap
from graphrisk.privacy.redact import PERSON_SUFFIX, Redactor, activated, resolve_node
from graphrisk.privacy.session import Record, Session, current_session
from graphrisk.store.base import acting_user

__all__ = ["Guard", "employee_persons", "guarded"]


def employee_persons(store) -> dict[str, str | None]:
    """Every employee id in the store with their own person id (None when unknown)."""
    frame = store.rows_where("employees", columns=["employee_id", "person_id"])
    if frame.empty:
        return {}
    persons = frame["person_id"] if "person_id" in frame else pd.Series([None] * len(frame))
    return {
        str(e): (str(p) if isinstance(p, str) else None)
        for e, p in zip(frame["employee_id"], persons, strict=True)
        if isinstance(e, str)
    }


class Guard:
    """What a guarded command uses: pseudonyms, the redactor, subjects and the entry."""

    def __init__(self, session: Session, record: Record, store, revealed: bool) -> None:
        self.session = session
        self.record = record
        self.store = store
        self.revealed = revealed

    @cached_property
    def employees(self) -> dict[str, str | None]:
        return employee_persons(self.store) if self.store is not None else {}

    @cached_property
    def names(self) -> PseudonymMap:
        return self.session.names(self.employees)

    @cached_property
    def pseudonymiser(self) -> Redactor:
        """A redactor whether or not the command is revealed: the audit log holds pseudonyms."""
        persons = {p: e for e, p in self.employees.items() if p is not None}
        return Redactor(self.names, persons)

    @property
    def redactor(self) -> Redactor | None:
        return None if self.revealed else self.pseudonymiser

    def resolve(self, text: str) -> str:
        """An argument naming an employee or node: a pseudonym (``Employee:EMP-…``, ``EMP-…/person``)
        becomes the id it stands for; anything else is returned as it is."""
        if "EMP" not in text.upper():
            return text
        person_of = {self.names.pseudonym(e): p for e, p in self.employees.items() if p is not None}
        return resolve_node(self.names, person_of, text)

    def subjects(self, employee_ids: Iterable[str]) -> None:
        """Log these employees (ids or pseudonyms) as the ones the command concerned."""
        aliases = []
        for e in employee_ids:
            if not isinstance(e, str):
                continue
            known = self.names.known(e)
            aliases.append(self.names.pseudonym(known or e) if known or e in self.names else e)
        self.record.add_subjects(a for a in aliases if a.upper().startswith("EMP"))

    def params(self, params: dict | None) -> None:
        """The command's parameters for the log, with employee ids as pseudonyms."""
        self.record.fields["params"] = self.pseudonymiser.value(params) if params else params

    def unredact_scores(self, scores):
        """A :class:`~graphrisk.reports.scores.ScoreTable` read from a pseudonymised file, with ids."""
        frame = scores.frame.assign(employee_id=self.pseudonymiser.unredact_ids(scores.frame["employee_id"]))
        return type(scores)(frame, source=scores.source)

    def done(self, rows: int | None = None) -> None:
        self.record.done(rows=rows)


class _Lazy:
    """The guard's redactor, built (the store's employees read) on first use."""

    def __init__(self, guard: Guard) -> None:
        self._guard = guard

    def __getattr__(self, name):
        return getattr(self._guard.pseudonymiser, name)


@contextlib.contextmanager
def guarded(
    command: str,
    *,
    action: str,
    store=None,
    reveal: str | None = None,
    also: Iterable[str] = (),
    query: str | None = None,
    cypher: str | None = None,
    redact: bool = True,
    session: Session | None = None,
) -> Iterator[Guard]:
    """Check ``action`` (and ``also``), log one entry, and redact the command's outputs.

    ``redact=False`` for commands that name no employee (load, stats): no key is needed.
    ``session`` is the acting user's session; by default the process's (``GRAPHRISK_USER`` or the
    OS user). The browser workspace passes the signed-in user's, one per request, so that a server
    with several users never changes its environment per request.
    """
    session = session if session is not None else current_session()
    with session.audited(command, action=action, reveal_reason=reveal, query=query, cypher=cypher) as record:
        for extra in also:
            try:
                session.require(extra)
            except AccessDeniedError:
                record.fields["action"] = f"{action}+{extra}"
                record.done(outcome="refused")
                raise
        guard = Guard(session, record, store, revealed=record.revealed)
        redacting = redact and store is not None and not guard.revealed
        # built when first used, so that a command refused before it reads anything (ad-hoc Cypher
        # that is not read-only) sends nothing to the server
        with activated(_Lazy(guard) if redacting else None), acting_user(session.user):
            yield guard


__all__ += ["PERSON_SUFFIX"]
