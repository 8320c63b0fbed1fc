"""Reading and validating a data set: the whole set is checked before anything is written.

>>> from graphrisk.ingest import read_dataset
>>> ds = read_dataset("datasets/sample")          # doctest: +SKIP
>>> ds.tables["employees"].columns.tolist()       # doctest: +SKIP
['employee_id', 'person_id', 'unit_id', 'rank', 'role', 'start_date', 'end_date']
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from graphrisk.contract import EVALUATION_ONLY, TABLE_ORDER, TABLES, is_audit_groups_file
from graphrisk.errors import DataError, Problem
from graphrisk.ingest.files import RawTable, describe_path, find_files, read_raw
from graphrisk.ingest.validate import (
    Collector,
    check_hierarchy,
    check_keys,
    check_order,
    check_references,
    type_table,
)

__all__ = ["Dataset", "finish", "locate", "read_dataset", "read_typed"]

_HIERARCHIES = {"areas": ("area_id", "parent_area_id"), "units": ("unit_id", "parent_unit_id")}
_ORDERED = {
    "shifts": ("start_ts", "end_ts"),
    "cases": ("opened_on", "closed_on"),
    "employees": ("start_date", "end_date"),
    "case_assignments": ("start_date", "end_date"),
}


_AUDIT_GROUPS_INSIDE = (
    "an audit-only group file (graphrisk fairness --groups) may not be part of a data set: group "
    "attributes must never reach loading, detection or scoring; move it out of {directory}"
)


@dataclass
class Dataset:
    """A validated data set: one typed frame per contract table present.

    ``files`` keeps each file's name, header and line numbers (not its values),
    so that a store refusing a row can say where it is (:meth:`line_of`).
    """

    path: Path
    tables: dict[str, pd.DataFrame]
    sources: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, RawTable] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}

    def file_name(self, name: str) -> str:
        """The file table ``name`` was read from, as messages show it."""
        return self.sources[name].name if name in self.sources else f"{name}.csv"

    def line_of(self, name: str, positions) -> list[int | None]:
        """The file line (CSV; header = 1) or row (Parquet) of each row position of table ``name``."""
        raw = self.files.get(name)
        if raw is None:
            return [None for _ in positions]
        return raw.line_of(positions)


def read_dataset(path: str | Path, *, include_evaluation: bool = False) -> Dataset:
    """Read and validate the data set in directory ``path``.

    Parameters
    ----------
    path : directory holding ``NAME.csv`` or ``NAME.parquet`` per contract table.
    include_evaluation : also read evaluation-only tables (``ground_truth``);
        only ``graphrisk evaluate`` asks for them.

    Returns
    -------
    Dataset with typed frames; warnings (e.g. ignored extra columns) are kept on it.

    Raises
    ------
    DataError
        With every problem found (file, line, column), when the data set breaks the contract.
    """
    directory = Path(path)
    wanted = [n for n in TABLE_ORDER if include_evaluation or n not in EVALUATION_ONLY]
    out = Collector()
    files, unusable = locate(directory, wanted, out)
    for name in wanted:
        if TABLES[name].required and name not in files and name not in unusable:
            out.add(Problem(f"{name}.csv", None, None, None, f"required file is missing from {directory}"))
    for name in files:
        for needed in TABLES[name].needs:
            if needed not in files and needed not in unusable:
                out.add(Problem(files[name].name, None, None, None, f"needs {needed}.csv, which is missing"))
    raws, typed = read_typed(files, out)

    keys = {}
    for name, frame in typed.items():
        spec = TABLES[name]
        check_keys(raws[name], spec, frame, out)
        if len(spec.key) == 1:
            keys[name] = pd.Index(frame[spec.key[0]].dropna().unique())
    for name, frame in typed.items():
        raw = raws[name]
        check_references(raw, TABLES[name], frame, keys, set(files), out)
        if name in _HIERARCHIES:
            check_hierarchy(raw, frame, *_HIERARCHIES[name], out)
        if name in _ORDERED:
            check_order(raw, frame, *_ORDERED[name], out)

    return finish(directory, out, raws, typed)


def locate(directory: Path, wanted: list[str], out: Collector) -> tuple[dict[str, Path], set[str]]:
    """Find the files of the ``wanted`` tables in ``directory``; report what cannot be used.

    Returns the files found and the names that are there but unusable (a directory, a looping
    link: reported as such, so not again as missing). An audit-only group file is refused.
    Raises DataError at once when ``directory`` itself is not a directory.
    """
    wrong = describe_path(directory, "directory")
    if wrong is not None:
        raise DataError([Problem(str(directory), None, None, None, f"{wrong} (a data set is a directory)")])
    files, located = find_files(directory, wanted)
    out.extend(located)
    for found in sorted(directory.iterdir()):  # group attributes must never reach a store
        if is_audit_groups_file(found.name):
            out.add(Problem(found.name, None, None, None, _AUDIT_GROUPS_INSIDE.format(directory=directory)))
    return files, {p.file.rsplit(".", 1)[0] for p in located}


def read_typed(files: dict[str, Path], out: Collector) -> tuple[dict[str, RawTable], dict[str, pd.DataFrame]]:
    """Read each file and type it against its contract table (problems go to ``out``)."""
    raws = {name: read_raw(name, p) for name, p in files.items()}
    typed: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        out.extend(raw.problems)
        if raw.frame is None:
            continue
        frame = type_table(raw, TABLES[name], out)
        if frame is not None:
            typed[name] = frame
    return raws, typed


def finish(directory: Path, out: Collector, raws: dict[str, RawTable], typed: dict) -> Dataset:
    """Raise every problem collected, or return the data set (files kept without their values)."""
    if out.total:
        by_file = sorted(out.problems, key=lambda p: p.file)  # stable: keeps each file's order
        raise DataError(by_file, total=out.total)
    # the files without their values: line numbers for later messages, not a second copy of the data
    kept = {name: replace(raws[name], frame=None, problems=[]) for name in typed}
    files = {name: raws[name].path for name in typed}
    return Dataset(directory, typed, sources=files, warnings=out.warnings, files=kept)
