"""Pseudonyms: a keyed hash of each employee id, stable per site key, and the way back.

A pseudonym is ``EMP-`` and the first 48 bits of HMAC-SHA-256(site key, id) in
three groups of four hex digits. HMAC, not a plain hash: employee ids are short
and guessable, so anyone could hash every candidate id and reverse a plain hash;
without the key they cannot.

Why 48 bits: among n employees the chance that two share a pseudonym is about
n²/2⁴⁹. For 65,000 employees that is 7.5·10⁻⁶ (one site in 133,000); for 200,000
ids over the years 7.1·10⁻⁵. 32 bits (``EMP-7F3A-91C2``) would collide with
probability 0.39 at 65,000 — far too likely. A collision is still checked
whenever a mapping is built, and refused loudly (:class:`PseudonymMap`).

The key is 32 random bytes in a file of its own (:func:`create_key`), never in the
data store, an output or a log; the audit log records :func:`key_id`, a
fingerprint that tells keys apart without revealing them.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graphrisk.errors import PrivacyError, UsageError
from graphrisk.privacy.files import write_private

__all__ = [
    "KEY_BYTES",
    "PREFIX",
    "PseudonymMap",
    "SiteKey",
    "create_key",
    "key_id",
    "load_key",
    "normalise_pseudonym",
    "pseudonym",
]

KEY_BYTES = 32
PREFIX = "EMP"
_GROUPS = 3  # groups of 4 hex digits: 48 bits
_DOMAIN = b"graphrisk/employee/v1\x00"  # other pseudonym kinds (persons) get their own domain
_PATTERN = re.compile(r"^\s*EMP-?([0-9A-F]{4})-?([0-9A-F]{4})-?([0-9A-F]{4})\s*$", re.IGNORECASE)
_KEY_LINE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, repr=False)
class SiteKey:
    """The site key's bytes and where they came from (its repr never shows them)."""

    secret: bytes
    path: Path | None = None

    def __repr__(self) -> str:
        return f"SiteKey(id={key_id(self.secret)}, path={self.path})"


def pseudonym(key: bytes | SiteKey, employee_id: str) -> str:
    """The pseudonym of ``employee_id`` under ``key``.

    >>> key = bytes(32)
    >>> pseudonym(key, "E000001")
    'EMP-805D-038D-8D61'
    >>> pseudonym(key, "E000001") == pseudonym(key, "E000001")
    True
    >>> pseudonym(bytes([1]) * 32, "E000001") == pseudonym(key, "E000001")
    False
    """
    secret = key.secret if isinstance(key, SiteKey) else key
    digest = hmac.digest(secret, _DOMAIN + employee_id.encode("utf-8"), "sha256").hex().upper()
    groups = [digest[4 * i : 4 * i + 4] for i in range(_GROUPS)]
    return "-".join([PREFIX, *groups])


def normalise_pseudonym(text: str) -> str | None:
    """``text`` as a pseudonym in canonical form, or None when it does not look like one.

    Case, surrounding blanks and the dashes do not matter, so a pseudonym read
    over the phone or typed in lower case still resolves.

    >>> normalise_pseudonym(" emp-805d-038d-8d61 ")
    'EMP-805D-038D-8D61'
    >>> normalise_pseudonym("EMP805D038D8D61")
    'EMP-805D-038D-8D61'
    >>> normalise_pseudonym("E000001") is None
    True
    """
    match = _PATTERN.match(text)
    if match is None:
        return None
    return "-".join([PREFIX, *(g.upper() for g in match.groups())])


def key_id(key: bytes | SiteKey) -> str:
    """A short fingerprint of the key (for logs): different keys, different ids; not reversible.

    >>> key_id(bytes(32))
    'k-a7846d77'
    """
    secret = key.secret if isinstance(key, SiteKey) else key
    return "k-" + hmac.digest(secret, b"graphrisk/key-id/v1", "sha256").hex()[:8]


def create_key(path: Path, *, force: bool = False) -> SiteKey:
    """Write a new random key to ``path`` (mode 0600, folder 0700).

    An existing key is kept unless ``force``: a new key changes every pseudonym,
    so notes, triage lists and audit entries that name pseudonyms no longer
    match the people they meant.
    """
    secret = secrets.token_bytes(KEY_BYTES)
    text = (secret.hex() + "\n").encode("ascii")
    try:
        write_private(path, text, overwrite=force)
    except FileExistsError:
        raise PrivacyError(
            f"a site key already exists at {path}; a new key changes every pseudonym, so notes, "
            "triage lists and audit entries would no longer match anyone. Use --force to replace "
            "it anyway (keep a copy of the old key to read old pseudonyms)"
        ) from None
    return SiteKey(secret, path)


def load_key(path: Path) -> SiteKey:
    """Read the key at ``path``; a missing or malformed key says how to make one."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise PrivacyError(
            f"no site key at {path}: an administrator creates one with `graphrisk keys init` "
            "(or set GRAPHRISK_KEY_FILE to the site's key file)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
        raise PrivacyError(f"cannot read the site key at {path}: {reason}") from None
    if not _KEY_LINE.match(text):
        raise PrivacyError(
            f"{path} is not a graphrisk site key (expected 64 lower-case hex digits on one line)"
        )
    return SiteKey(bytes.fromhex(text), path)


class PseudonymMap:
    """Pseudonyms of a known set of employee ids, both ways.

    Building the map checks that no two ids share a pseudonym (an error, not a
    silent merge: two people under one name in a triage list is worse than no
    list).

    >>> names = PseudonymMap(bytes(32), ["E000001", "E000002"])
    >>> names.pseudonym("E000001")
    'EMP-805D-038D-8D61'
    >>> names.resolve("emp-805d-038d-8d61"), names.resolve("E000002")
    ('E000001', 'E000002')
    """

    def __init__(self, key: bytes | SiteKey, employee_ids: Iterable[str]) -> None:
        self._key = key
        self._forward: dict[str, str] = {}
        self._back: dict[str, str] = {}
        for employee_id in dict.fromkeys(employee_ids):
            alias = pseudonym(key, employee_id)
            if alias in self._back:
                raise PrivacyError(
                    f"two employees share the pseudonym {alias} under this site key (chance about "
                    "1 in 100,000 per site); an administrator must create a new key with "
                    "`graphrisk keys init --force`"
                )
            self._forward[employee_id] = alias
            self._back[alias] = employee_id

    def __len__(self) -> int:
        return len(self._forward)

    def __contains__(self, employee_id: object) -> bool:
        return employee_id in self._forward

    def ids(self) -> list[str]:
        """The employee ids of the map."""
        return list(self._forward)

    def known(self, text: str) -> str | None:
        """The employee id of ``text`` if it is a pseudonym of the map, else None (no error)."""
        alias = normalise_pseudonym(text) if isinstance(text, str) else None
        return self._back.get(alias) if alias is not None else None

    def pseudonym(self, employee_id: str) -> str:
        """The pseudonym of ``employee_id`` (also for ids outside the map)."""
        alias = self._forward.get(employee_id)
        return alias if alias is not None else pseudonym(self._key, employee_id)

    def pseudonyms(self, employee_ids: Iterable[str]) -> list[str]:
        return [self.pseudonym(e) for e in employee_ids]

    def series(self, ids):
        """A pandas Series of employee ids as pseudonyms (missing values stay missing)."""
        return ids.map(lambda v: self.pseudonym(v) if isinstance(v, str) else v)

    def resolve(self, text: str) -> str:
        """The employee id meant by ``text``: a pseudonym (any case) or an id, which is returned as is.

        An unknown pseudonym is a :class:`~graphrisk.errors.UsageError`; whether an
        id exists is for the caller to check, as it did before pseudonyms.
        """
        alias = normalise_pseudonym(text)
        if alias is None:
            return text
        employee_id = self._back.get(alias)
        if employee_id is None:
            raise UsageError(
                f"no employee in the store has the pseudonym {alias} (pseudonyms depend on the site "
                "key: was it written under another key?)"
            )
        return employee_id
