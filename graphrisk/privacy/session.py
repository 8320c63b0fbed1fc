"""The acting user's session: identity, role, key, pseudonyms and audited actions in one object.

Every command (and later the browser workspace, one session per request) goes
through a :class:`Session`::

    session = current_session()                      # user and role from env + access file
    with session.audited("explain", action="explain", reveal_reason=reveal) as record:
        names = session.names(store_employee_ids)    # needs the site key
        employee_id = names.resolve(argument)        # EMP-7F3A-91C2-D04E or an id
        record.add_subjects([names.pseudonym(employee_id)])
        result = compute(...)
        record.done(rows=len(result))                # written to the log before anything is shown
        show(result, names if not record.revealed else None)

``audited`` checks the role first (a refusal is logged too, then raised), checks
a reveal's reason, and appends one entry when :meth:`Record.done` is called or,
failing that, when the block ends (with the outcome ``error`` if it raised).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from graphrisk.errors import AccessDeniedError, GraphriskError
from graphrisk.privacy.access import AccessFile, check, current_user, os_user, require_reveal
from graphrisk.privacy.audit import AuditLog
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.privacy.pseudonyms import PseudonymMap, SiteKey, key_id, load_key, normalise_pseudonym

__all__ = ["Record", "Session", "audited", "current_session"]


@dataclass
class Record:
    """What an audited block reports: the subjects it concerned and the rows it returned."""

    session: Session
    fields: dict
    subjects: list[str] = field(default_factory=list)
    rows: int | None = None
    written: dict | None = None

    @property
    def revealed(self) -> bool:
        return self.fields.get("reveal_reason") is not None

    def add_subjects(self, pseudonyms: Iterable[str]) -> None:
        """Add the pseudonyms (never ids) of the employees the command showed."""
        seen = set(self.subjects)  # a nightly detect names 65,000 employees: no scan of the list each
        for alias in pseudonyms:
            canonical = normalise_pseudonym(alias)
            if canonical is None:
                raise ValueError(f"audit subjects are pseudonyms, not ids: {alias!r}")
            if canonical not in seen:
                seen.add(canonical)
                self.subjects.append(canonical)

    def done(self, *, rows: int | None = None, outcome: str = "ok") -> dict:
        """Write the entry now (call it before showing the result); later calls do nothing."""
        if self.written is None:
            if rows is not None:
                self.rows = rows
            self.written = self.session._append(
                {**self.fields, "subjects": self.subjects, "rows": self.rows, "outcome": outcome}
            )
        return self.written


@dataclass
class Session:
    """One acting user with their role, and the site's key, access file and audit log."""

    user: str
    os_user: str
    paths: PrivacyPaths

    @classmethod
    def from_env(cls) -> Session:
        return cls(current_user(), os_user(), PrivacyPaths.from_env())

    @cached_property
    def access(self) -> AccessFile:
        return AccessFile.read(self.paths.access_file)

    @property
    def role(self) -> str | None:
        return self.access.role_of(self.user)

    @cached_property
    def key(self) -> SiteKey:
        return load_key(self.paths.key_file)

    @cached_property
    def log(self) -> AuditLog:
        return AuditLog(self.paths.audit_log, self.paths.audit_head)

    def require(self, action: str) -> None:
        """Refuse ``action`` unless this user's role allows it (not logged; see :meth:`audited`)."""
        if not self.access.exists and self.role is None:
            raise AccessDeniedError(
                f"there is no access file at {self.paths.access_file}: an administrator creates it "
                "with `graphrisk keys init` and gives users roles with `graphrisk users add NAME --role ROLE`"
            )
        check(self.user, self.role, action)

    def require_reveal(self, reason: str | None) -> str:
        self.require("reveal")
        return require_reveal(reason, self.role, self.user)

    def names(self, employee_ids: Iterable[str]) -> PseudonymMap:
        """The pseudonyms of ``employee_ids`` under the site key (refused without a key)."""
        return PseudonymMap(self.key, employee_ids)

    def _append(self, fields: dict) -> dict:
        known_key = self.__dict__.get("key")  # the key's id only if this command loaded the key
        return self.log.append(
            {
                "user": self.user,
                "os_user": self.os_user,
                "role": self.role,
                "key": key_id(known_key) if known_key is not None else None,
                **fields,
            }
        )

    @contextlib.contextmanager
    def audited(
        self,
        command: str,
        *,
        action: str,
        subjects: Iterable[str] = (),
        query: str | None = None,
        params: dict | None = None,
        cypher: str | None = None,
        reveal_reason: str | None = None,
        reveal: bool = False,
    ) -> Iterator[Record]:
        """Check the role, then record one audit entry for the block (see the module docstring).

        ``reveal=True`` (or a ``reveal_reason``) asks to show real identities: the
        role must allow ``reveal`` and the reason must not be blank. ``params``
        must already hold pseudonyms, not employee ids.
        """
        fields = {"command": command, "action": action, "query": query, "params": params, "cypher": cypher}
        record = Record(self, fields)
        record.add_subjects(subjects)
        try:
            self.require(action)
            if reveal or reveal_reason is not None:
                fields["reveal_reason"] = self.require_reveal(reveal_reason)
        except AccessDeniedError:
            fields["reveal_reason"] = " ".join((reveal_reason or "").split()) or None
            record.done(outcome="refused")
            raise
        try:
            yield record
        except GraphriskError as exc:
            # the class only: messages can name ids, and the log holds pseudonyms
            record.done(outcome=f"error: {type(exc).__name__}")
            raise
        except BaseException:
            record.done(outcome="error")
            raise
        record.done()


def current_session() -> Session:
    """The session of whoever runs this process (``GRAPHRISK_USER`` or the OS user)."""
    return Session.from_env()


@contextlib.contextmanager
def audited(command: str, **kwargs) -> Iterator[Record]:
    """:meth:`Session.audited` for the current session."""
    with current_session().audited(command, **kwargs) as record:
        yield record
