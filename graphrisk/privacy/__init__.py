"""Privacy and accountability: pseudonyms, roles, reveal with a reason, and the audit log.

The CLI and (later) the browser workspace share this package; docs/privacy.md
describes the model. The parts:

- :mod:`~graphrisk.privacy.pseudonyms`: the site key and ``EMP-XXXX-XXXX-XXXX``
  pseudonyms (HMAC-SHA-256), a map both ways with collision checks.
- :mod:`~graphrisk.privacy.access`: roles, the one permission table
  (:data:`ROLE_ACTIONS`), the access file, :func:`check`, :func:`require_reveal`,
  password hashes.
- :mod:`~graphrisk.privacy.audit`: the hash-chained JSON-lines audit log.
- :mod:`~graphrisk.privacy.session`: :class:`Session`, which ties them together
  for one acting user, and :func:`audited`.
- :mod:`~graphrisk.privacy.files`: default paths, environment variables,
  owner-only files and locks.
"""

from graphrisk.privacy.access import (
    ACTIONS,
    ROLE_ACTIONS,
    ROLES,
    AccessFile,
    allowed,
    check,
    current_user,
    hash_password,
    require_reveal,
    verify_password,
)
from graphrisk.privacy.audit import AuditLog, Verification
from graphrisk.privacy.files import PrivacyPaths
from graphrisk.privacy.pseudonyms import (
    PseudonymMap,
    SiteKey,
    create_key,
    load_key,
    normalise_pseudonym,
    pseudonym,
)
from graphrisk.privacy.session import Record, Session, audited, current_session

__all__ = [
    "ACTIONS",
    "ROLES",
    "ROLE_ACTIONS",
    "AccessFile",
    "AuditLog",
    "PrivacyPaths",
    "PseudonymMap",
    "Record",
    "Session",
    "SiteKey",
    "Verification",
    "allowed",
    "audited",
    "check",
    "create_key",
    "current_session",
    "current_user",
    "hash_password",
    "load_key",
    "normalise_pseudonym",
    "pseudonym",
    "require_reveal",
    "verify_password",
]
