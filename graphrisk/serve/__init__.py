"""The analyst workspace in the browser: ``graphrisk serve`` (issue 13).

- :mod:`~graphrisk.serve.app`: the FastAPI application, its endpoints and error answers
  (the contract is docs/serve-api.md);
- :mod:`~graphrisk.serve.auth`: sign-in against the access file, sessions, CSRF, the rate limit;
- :mod:`~graphrisk.serve.triage`: the triage store (SQLite beside the embedded store, or Neo4j
  nodes) that ``graphrisk score`` records its runs in;
- :mod:`~graphrisk.serve.views`: what the endpoints compute from the store (dossier network,
  exploration, paths, exports, trends);
- ``static/``: the page (HTML, JS, CSS), served from the package.

Roles are checked and the audit log written through :func:`graphrisk.privacy.guard.guarded`, with
the signed-in user's own :class:`~graphrisk.privacy.session.Session`; every answer is pseudonymised
unless the request carries a reveal with a reason. docs/serve.md says how to run it.
"""
