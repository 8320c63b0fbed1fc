"""Reading a data set's population and ground truth (``employees`` and ``ground_truth``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from graphrisk.contract import TABLES
from graphrisk.errors import DataError, Problem
from graphrisk.ingest.files import RawTable, find_files, read_raw
from graphrisk.ingest.validate import Collector, check_keys, check_references, type_table

__all__ = ["INSIDER", "LOOKALIKE", "read_truth", "split_label"]

INSIDER = "insider:"
LOOKALIKE = "lookalike:"


def read_truth(directory: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The employee ids in file order, and the (employee_id, label) rows of the ground truth."""
    files, located = find_files(directory, ["employees", "ground_truth"])
    out = Collector()
    out.extend(located)
    for name in ("employees", "ground_truth"):
        if name not in files and not any(p.file.startswith(name + ".") for p in located):
            why = "evaluation needs the planted truth" if name == "ground_truth" else "required file"
            out.add(Problem(f"{name}.csv", None, None, None, f"is missing from {directory} ({why})"))
    frames: dict[str, pd.DataFrame] = {}
    raws: dict[str, RawTable] = {}
    for name, path in files.items():
        raw = read_raw(name, path)
        out.extend(raw.problems)
        frame = type_table(raw, TABLES[name], out) if raw.frame is not None else None
        if frame is not None:
            check_keys(raw, TABLES[name], frame, out)
            frames[name], raws[name] = frame, raw
    if "employees" in frames and "ground_truth" in frames:
        truth, raw = frames["ground_truth"], raws["ground_truth"]
        # only the ids the ground truth mentions: pandas' isin on Arrow strings costs a Python
        # object per key, a second for 65,000 employees, and the answer is the same
        employees = set(frames["employees"]["employee_id"].dropna().tolist())
        mentioned = [e for e in truth["employee_id"].dropna().unique().tolist() if e in employees]
        keys = {"employees": pd.Index(mentioned, dtype=object)}
        check_references(raw, TABLES["ground_truth"], truth, keys, set(files), out)
        label = truth["label"]
        bad = [pos for pos, v in enumerate(label.tolist()) if isinstance(v, str) and not _is_label(v)]
        out.rows(
            raw,
            "label",
            np.array(bad, dtype=np.int64),
            lambda v: f"{v!r} is not insider:<scenario> or lookalike:<group>",
            label,
        )
    if out.total:
        raise DataError(sorted(out.problems, key=lambda p: p.file), total=out.total)
    employees = frames["employees"]["employee_id"].tolist()
    truth = frames["ground_truth"]
    return employees, list(zip(truth["employee_id"].tolist(), truth["label"].tolist(), strict=True))


def _is_label(label: str) -> bool:
    for prefix in (INSIDER, LOOKALIKE):
        if label.startswith(prefix):
            return label[len(prefix) :].strip() != ""
    return False


def split_label(label: str) -> tuple[str, str]:
    prefix = INSIDER if label.startswith(INSIDER) else LOOKALIKE
    return prefix, label[len(prefix) :].strip()
