"""``graphrisk serve``: the analyst workspace in the browser (docs/serve.md, docs/serve-api.md)."""

from __future__ import annotations

import click

from graphrisk.commands.common import _open, store_options
from graphrisk.errors import UsageError

__all__ = ["COMMANDS", "serve"]


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep the loopback default behind a reverse proxy (docs/serve.md).",
)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free)."
)
@click.option(
    "--idle-timeout",
    "idle_timeout",
    default=30.0,
    show_default=True,
    metavar="MIN",
    type=click.FloatRange(0.1, 24 * 60),
    help="Sign a browser out after this many idle minutes.",
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the session cookie over plain HTTP too (tests on 127.0.0.1; never in production).",
)
@click.option(
    "--top",
    default=50,
    show_default=True,
    type=click.IntRange(1, 100),
    help="The queue shows every alert and the top N scores of the latest run.",
)
@store_options
def serve(host, port, idle_timeout, insecure_cookies, top, neo4j_uri, neo4j_user, neo4j_password, store_dir):
    """Serve the analyst workspace in the browser over the current store.

    Sign-in with the access file's users (passwords set with `graphrisk users add NAME --role
    ROLE --password-stdin`); roles are checked for every request and every view of a dossier,
    reveal, query, exploration and export is written to the audit log. The alert queue shows
    what the last `graphrisk score` recorded. Listens on 127.0.0.1 by default: put a
    TLS-terminating reverse proxy in front of it for other machines (docs/serve.md).

    \b
    Example:
        graphrisk serve
        NEO4J_URI=bolt://127.0.0.1:7687 graphrisk serve --port 8800
    """
    import logging

    import uvicorn

    from graphrisk.privacy.files import PrivacyPaths
    from graphrisk.serve.app import Config, Workspace, create_app

    paths = PrivacyPaths.from_env()
    if not paths.access_file.is_file():
        raise UsageError(
            f"no access file at {paths.access_file}: create it with `graphrisk keys init`, then add users "
            "with `graphrisk users add NAME --role ROLE --password-stdin`"
        )

    def opener():
        store = _open(neo4j_uri, neo4j_user, neo4j_password, store_dir)
        if store.kind == "embedded" and not store.exists():
            raise UsageError(
                f"no embedded store at {store.describe()}: load a data set (graphrisk load DATASET) and "
                "score it (graphrisk score) first, or set NEO4J_URI"
            )
        return store

    config = Config(idle_timeout_min=idle_timeout, insecure_cookies=insecure_cookies, top=top)
    workspace = Workspace(opener, config, paths)
    workspace.credentials.access()  # a malformed access file is refused before listening
    workspace.warm()
    app = create_app(workspace)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = "http" + ("" if insecure_cookies else "s") + f"://{host}:{port}/"
    click.echo(f"graphrisk workspace on {workspace.kind} store {workspace.store().describe()}", err=True)
    if not insecure_cookies:
        click.echo(
            f"Session cookies are Secure: open it through a TLS proxy ({where}) or use "
            "--insecure-cookies on 127.0.0.1 for a local trial.",
            err=True,
        )
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", access_log=True, server_header=False)
    finally:
        workspace.close()


COMMANDS = [serve]
