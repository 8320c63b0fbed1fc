"""Files that appear whole or not at all: written under a temporary name, then renamed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replaced_on_success"]


@contextmanager
def replaced_on_success(path: str | Path) -> Iterator[Path]:
    """Give a temporary sibling of ``path`` to write; rename it to ``path`` when the block succeeds.

    The parent folder is created. When the block raises, the temporary file is
    removed and ``path`` is left as it was, so a reader never sees half a file.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "sub" / "scores.csv"
    >>> with replaced_on_success(out) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a,b\\n', ['scores.csv'])

    A block that fails leaves the earlier file as it was, and no temporary file:

    >>> try:
    ...     with replaced_on_success(out) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise OSError("disk full")
    ... except OSError:
    ...     pass
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a,b\\n', ['scores.csv'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
