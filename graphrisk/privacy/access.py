"""Who may do what: the roles, the one permission table, the access file and the check.

The acting user is the OS user, unless ``GRAPHRISK_USER`` names another (the
browser workspace will set it from its own login). Each user has a role,
kept in the access file by an administrator. One role per user keeps duties
apart: whoever audits the analysts is not one of them. A user may still be
given several roles (``analyst+batch``, written ``--role analyst --role batch``)
where one person does several jobs: a single-user machine, the demo, tests.

Bootstrapping: ``graphrisk keys init`` creates the access file, if there is none,
with the user who created the key as its first ``admin``; ``graphrisk users add``
on a site without an access file only accepts ``--role admin`` for the first
user. After that, only an admin changes the file, and the last admin cannot be
removed.

On the command line this is accountability, not a security boundary: whoever can
read the store's files can read the data without graphrisk. docs/privacy.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from graphrisk.errors import AccessDeniedError, PrivacyError, UsageError
from graphrisk.privacy.files import ENV_USER, locked, write_private

__all__ = [
    "ACTIONS",
    "ROLES",
    "ROLE_ACTIONS",
    "AccessFile",
    "User",
    "add_user",
    "allowed",
    "check",
    "current_user",
    "hash_password",
    "os_user",
    "remove_user",
    "require_reveal",
    "verify_password",
]

#: action -> what it lets a user do (actions are named for what commands do)
ACTIONS: dict[str, str] = {
    "stats": "count the store's nodes and relationships",
    "load": "load a data set into the store",
    "detect": "run the detection rules and read their findings",
    "score": "score employees and list the highest",
    "write-back": "write scores and findings into Neo4j",
    "explain": "explain one employee's score and findings",
    "report": "write HTML dossiers and overviews",
    "evaluate": "evaluate scores against a data set's ground truth",
    "query": "run named queries",
    "cypher": "run ad-hoc read-only Cypher",
    "explore": "explore the graph around a node",
    "paths": "find paths between nodes",
    "export": "export part of the graph",
    "fairness": "report scores and findings per audit group",
    "reveal": "show real identities instead of pseudonyms (with a reason)",
    "audit.read": "read and verify the audit log",
    "users.manage": "add, change and remove users",
    "keys.manage": "create or replace the site key",
    "purge": "delete data older than the retention period",
    "triage": "open alerts and dossiers in the browser workspace and change their triage state",
    "trends": "read prevention trends: look-ups per employee per unit and month, no individual shown",
}

#: role -> what it is for
ROLES: dict[str, str] = {
    "analyst": "integrity unit analyst: scores, findings, dossiers; may reveal with a reason",
    "liaison": "Rijksrecherche liaison: exploration and paths; may reveal with a reason",
    "batch": "scheduled jobs: load, detect, score, write-back; never reveals",
    "auditor": "reads the audit log and the fairness report; sees no individual risk data",
    "admin": "keys, users and retention; sees no individual risk data",
    "manager": "team leader: prevention trends in the browser workspace (aggregates only, no individual)",
}

#: The one permission table: role -> the actions it allows.
#: ``fairness`` is the auditor's alone: whoever runs it reads the group file, an attribute such as a
#: migration background per employee, beside the scores. In an analyst's hands that attribute could
#: enter triage, which is the bias the report is there to catch; an admin has no use for risk data.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "analyst": frozenset(
        {
            "stats",
            "detect",
            "score",
            "explain",
            "report",
            "evaluate",
            "query",
            "cypher",
            "explore",
            "paths",
            "export",
            "reveal",
            "triage",
            "trends",
        }
    ),
    "liaison": frozenset({"stats", "query", "cypher", "explore", "paths", "export", "reveal", "trends"}),
    "batch": frozenset({"stats", "load", "detect", "score", "write-back", "evaluate"}),
    "auditor": frozenset({"audit.read", "fairness"}),
    "admin": frozenset({"stats", "load", "audit.read", "users.manage", "keys.manage", "purge"}),
    "manager": frozenset({"trends"}),
}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` allows ``action``.

    >>> allowed("analyst", "reveal"), allowed("batch", "reveal"), allowed("auditor", "score")
    (True, False, False)
    """
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}; add it to ACTIONS and ROLE_ACTIONS")
    return any(action in ROLE_ACTIONS.get(r, frozenset()) for r in split_roles(role))


def split_roles(role: str | None) -> list[str]:
    """The roles in a user's role: one (``analyst``) or several joined by ``+`` (``analyst+batch``).

    >>> split_roles("analyst+batch"), split_roles(None)
    (['analyst', 'batch'], [])
    """
    return [r for r in (role or "").split("+") if r]


def join_roles(roles) -> str:
    """Roles as one role string, in the order of :data:`ROLES`; an unknown role is a UsageError.

    >>> join_roles(["batch", "analyst", "batch"])
    'analyst+batch'
    """
    wanted = set(roles)
    unknown = sorted(wanted - set(ROLES))
    if unknown or not wanted:
        raise UsageError(f"unknown role {', '.join(unknown) or '(none)'}; roles: {', '.join(ROLES)}")
    return "+".join(r for r in ROLES if r in wanted)


def is_admin(role: str | None) -> bool:
    return "admin" in split_roles(role)


def _roles_allowing(action: str) -> str:
    return ", ".join(r for r in ROLES if action in ROLE_ACTIONS[r]) or "none"


def check(user: str, role: str | None, action: str) -> None:
    """Refuse ``action`` unless ``role`` allows it; the message names user, role and action.

    >>> check("ann", "analyst", "explain")
    >>> check("bob", "batch", "reveal")
    Traceback (most recent call last):
    ...
    graphrisk.errors.AccessDeniedError: bob (role batch) may not show real identities instead of \
pseudonyms (with a reason) [reveal]; roles that may: analyst, liaison
    """
    if allowed(role, action):
        return
    what = f"{ACTIONS[action]} [{action}]"
    if role is None:
        raise AccessDeniedError(
            f"{user} has no role, so may not {what}: an administrator gives one with "
            f"`graphrisk users add {user} --role ROLE` (roles that may: {_roles_allowing(action)})"
        )
    raise AccessDeniedError(f"{user} (role {role}) may not {what}; roles that may: {_roles_allowing(action)}")


def require_reveal(reason: str | None, role: str | None, user: str = "this user") -> str:
    """The reason for a reveal, cleaned; refused without one or for a role that may not reveal.

    >>> require_reveal("  VIK case 2026-014: interview prep ", "analyst")
    'VIK case 2026-014: interview prep'
    >>> require_reveal(" ", "analyst")
    Traceback (most recent call last):
    ...
    graphrisk.errors.AccessDeniedError: a reveal needs a reason (e.g. the VIK case number and why \
the identity is needed); it is written to the audit log
    """
    check(user, role, "reveal")
    cleaned = " ".join((reason or "").split())  # one line: the audit log is read line by line
    if not cleaned:
        raise AccessDeniedError(
            "a reveal needs a reason (e.g. the VIK case number and why the identity is needed); "
            "it is written to the audit log"
        )
    if len(cleaned) > 500:
        raise UsageError("a reveal reason is at most 500 characters; name the case and the need")
    return cleaned


def os_user() -> str:
    """The name of the OS account running graphrisk (from the password database, not $USER)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no pwd module, or a uid without an entry (containers)
        return getpass.getuser()


def current_user() -> str:
    """``GRAPHRISK_USER`` if set, else the OS user."""
    named = os.environ.get(ENV_USER, "").strip()
    return named or os_user()


# Passwords: scrypt from the standard library. OWASP's password storage cheat sheet ranks
# argon2id first and scrypt (N >= 2^17, r = 8, p = 1) second; scrypt needs no compiled
# dependency, and the stored string names its parameters so they can be raised later.
_SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P = 17, 8, 1
_SCRYPT_FORMAT = re.compile(r"^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    n = 1 << log_n
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * r * n + (1 << 20), dklen=32
    )


def hash_password(password: str, *, log_n: int = _SCRYPT_LOG_N) -> str:
    """A salted scrypt hash in PHC-like form: ``$scrypt$ln=17,r=8,p=1$SALT$HASH``.

    >>> stored = hash_password("correct horse", log_n=4)  # tiny cost for the example only
    >>> stored.startswith("$scrypt$ln=4,r=8,p=1$")
    True
    >>> verify_password("correct horse", stored), verify_password("wrong", stored)
    (True, False)
    """
    if not password:
        raise UsageError("the password is empty")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, log_n, _SCRYPT_R, _SCRYPT_P)
    return f"$scrypt$ln={log_n},r={_SCRYPT_R},p={_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (a :func:`hash_password` string), in constant time."""
    match = _SCRYPT_FORMAT.match(stored or "")
    if match is None:
        return False
    log_n, r, p = (int(g) for g in match.groups()[:3])
    if not (1 <= log_n <= 24 and 1 <= r <= 32 and 1 <= p <= 16):
        return False
    expected = _unb64(match.group(5))
    return hmac.compare_digest(_scrypt(password, _unb64(match.group(4)), log_n, r, p), expected)


@dataclass
class User:
    name: str
    role: str
    added: str
    added_by: str
    password: str | None = None  # a hash_password string, never the password

    def to_dict(self) -> dict:
        d = {"role": self.role, "added": self.added, "added_by": self.added_by}
        if self.password:
            d["password"] = self.password
        return d


@dataclass
class AccessFile:
    """The users and their roles, in a JSON file (mode 0600) that only admins change."""

    path: Path
    users: dict[str, User] = field(default_factory=dict)
    exists: bool = False

    @classmethod
    def read(cls, path: Path) -> AccessFile:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
            raise PrivacyError(f"cannot read the access file {path}: {reason}") from None
        try:
            doc = json.loads(text)
            users = {
                name: User(
                    name,
                    entry["role"],
                    entry.get("added", ""),
                    entry.get("added_by", ""),
                    entry.get("password"),
                )
                for name, entry in doc["users"].items()
            }
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise PrivacyError(
                f'{path} is not a graphrisk access file (expected JSON with a "users" object of '
                'name -> {"role": ...})'
            ) from None
        for user in users.values():
            roles = split_roles(user.role) if isinstance(user.role, str) else []
            if not roles or not set(roles) <= set(ROLES):
                raise PrivacyError(f"{path}: user {user.name!r} has unknown role {user.role!r}")
        return cls(path, users, exists=True)

    def role_of(self, name: str) -> str | None:
        user = self.users.get(name)
        return user.role if user else None

    def save(self) -> None:
        doc = {"version": 1, "users": {n: u.to_dict() for n, u in sorted(self.users.items())}}
        write_private(self.path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
        self.exists = True


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UsageError(
            f"{name!r} is not a user name: letters, digits and . _ @ - (at most 64, starting with a "
            "letter or digit)"
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def add_user(
    path: Path, acting: str, name: str, role: str, *, password: str | None = None, bootstrap: bool = False
) -> tuple[User, str | None]:
    """Add ``name`` with ``role`` (or change the role of an existing user); return it and the old role.

    ``acting`` must be an admin, except on a site without an access file, where
    the first user must be given the role admin (``bootstrap`` lets ``keys init``
    make its own user the first admin).
    """
    _check_name(name)
    role = join_roles(split_roles(role))
    hashed = hash_password(password) if password is not None else None  # slow: outside the lock
    with locked(path.with_name(path.name + ".lock")):
        access = AccessFile.read(path)
        if not access.exists:
            if not is_admin(role) and not bootstrap:
                raise AccessDeniedError(
                    f"there is no access file at {path} yet: the first user must be an administrator "
                    f"(`graphrisk users add {acting} --role admin`, or `graphrisk keys init`)"
                )
        else:
            check(acting, access.role_of(acting), "users.manage")
        old = access.users.get(name)
        if old is not None and is_admin(old.role) and not is_admin(role):
            _keep_an_admin(access, name)
        user = User(name, role, _now(), acting, hashed or (old.password if old else None))
        access.users[name] = user
        access.save()
    return user, old.role if old else None


def remove_user(path: Path, acting: str, name: str) -> User:
    with locked(path.with_name(path.name + ".lock")):
        access = AccessFile.read(path)
        if not access.exists:
            raise PrivacyError(f"there is no access file at {path}; nobody to remove")
        check(acting, access.role_of(acting), "users.manage")
        user = access.users.get(name)
        if user is None:
            raise UsageError(f"{name!r} is not in the access file {path}")
        if is_admin(user.role):
            _keep_an_admin(access, name)
        del access.users[name]
        access.save()
    return user


def _keep_an_admin(access: AccessFile, leaving: str) -> None:
    if not any(is_admin(u.role) for n, u in access.users.items() if n != leaving):
        raise UsageError(
            f"{leaving} is the last admin; add another admin first, or nobody could manage users"
        )
