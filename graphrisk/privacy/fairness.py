"""The fairness report: how often each audit group is ranked high, alerted or found, against the rest.

``graphrisk fairness --scores SCORES --groups GROUPS [--findings FINDINGS]`` (docs/privacy.md,
"The fairness report"). The group file is an audit-only attribute kept outside every data set
(``load`` refuses one inside, :func:`graphrisk.contract.is_audit_groups_file`): one row per
employee, ``employee_id,group``. For each group and each selection -- the top 1% and top 2% by
score, the alerts, each rule's findings -- the report gives the group's share in the selection,
the rest's share, their ratio and a 95% confidence interval (:func:`katz_interval`), and flags a
ratio whose whole interval lies above :data:`BAND` 's top, 1.25.

No figure concerns one person: a group (or the rest of the population beside it) smaller than
``min_group_size`` is shown by size only, because a share of a group of one is that person's
risk data.

Ids in the scores, group and findings files may be employee ids or pseudonyms (any case, with or
without dashes). When all three use the same form nothing else is needed; a mix is joined on
pseudonyms, which needs the site key (:class:`~graphrisk.privacy.pseudonyms.PseudonymMap`), never
the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from graphrisk.contract import AUDIT_GROUPS_ENDINGS, is_audit_groups_file
from graphrisk.errors import DataError, Problem, UsageError
from graphrisk.evaluate.core import TIE_BREAK
from graphrisk.evaluate.metrics import resolve_ks
from graphrisk.files.checked import Scores
from graphrisk.ingest.files import read_raw
from graphrisk.ingest.validate import Collector
from graphrisk.privacy.pseudonyms import PseudonymMap, SiteKey, normalise_pseudonym

__all__ = [
    "BAND",
    "LEVEL",
    "MIN_GROUP_SIZE",
    "NOT_LISTED",
    "Groups",
    "Measure",
    "Report",
    "Row",
    "fairness_report",
    "format_report",
    "katz_interval",
    "read_groups",
]

#: The project's fairness band for a ratio of shares (the four-fifths rule and its inverse).
BAND = (0.8, 1.25)
#: The confidence level of the intervals.
LEVEL = 0.95
#: Groups (and rests) smaller than this are shown by size only: their shares would point at people.
MIN_GROUP_SIZE = 10
#: The pseudo-group of scored employees the group file does not list ("(" cannot start a group).
NOT_LISTED = "(not listed)"
_Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)  # 1.959963984540054
_MAX_GROUP = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode Cc: a corrupt export, or a terminal trick


# --- the group file -----------------------------------------------------------------------------


@dataclass
class Groups:
    """The rows of a group file: ids as written (ids or pseudonyms), their groups and lines."""

    path: Path
    ids: list[str]
    groups: list[str]
    lines: list[int]


def read_groups(path: Path) -> Groups:
    """Read and check an audit-only group file; every problem names file, line and column.

    The format: UTF-8 CSV, header ``employee_id,group`` (in either order, no other columns: the
    file should carry nothing but the attribute), one row per employee. ``employee_id`` is an
    employee id or a pseudonym; ``group`` is a name of 1-64 characters, not starting with ``(``.
    An employee listed twice is an error, even in the same group.
    """
    if not is_audit_groups_file(path.name) or path.suffix.lower() != ".csv":
        raise UsageError(
            f"{path}: a group file is a CSV file whose name ends in {AUDIT_GROUPS_ENDINGS[0]} (e.g. "
            f"2026-hr.{AUDIT_GROUPS_ENDINGS[0]}), so that `graphrisk load` recognises and refuses it "
            "inside a data set; rename it"
        )
    raw = read_raw("groups", path)
    out = Collector()
    out.extend(raw.problems)
    if raw.frame is None or out.total:
        raise DataError(out.problems, total=out.total)
    for name in ("employee_id", "group"):
        if name not in raw.header:
            out.add(Problem(raw.display, 1, None, name, "required column is missing"))
    for name in raw.header:
        if name not in ("employee_id", "group"):
            out.add(
                Problem(
                    raw.display,
                    1,
                    raw.column_index(name),
                    name,
                    "a group file holds only employee_id and group; remove other columns "
                    "(names, birth dates, ...) before it is handed over",
                )
            )
    if out.total:
        raise DataError(out.problems, total=out.total)

    ids = raw.frame["employee_id"].astype(object).map(lambda v: v.strip())
    groups = raw.frame["group"].astype(object).map(lambda v: v.strip())
    _check(
        out,
        raw,
        "employee_id",
        ids,
        lambda v: "is empty; an employee id or pseudonym is required" if not v else None,
    )
    _check(
        out, raw, "employee_id", ids, lambda v: "holds a control character" if _CONTROL.search(v) else None
    )
    _check(out, raw, "group", groups, _group_problem)
    first: dict[str, int] = {}
    repeated: dict[int, str] = {}
    for pos, value in enumerate(ids.tolist()):
        key = normalise_pseudonym(value) or value
        if not value:
            continue
        if key in first:
            repeated[pos] = f"{value!r} is listed twice: first on line {raw.line_of([first[key]])[0]}"
        else:
            first[key] = pos
    if repeated:
        notes = pd.Series([repeated.get(p, "") for p in range(len(ids))], dtype=object)
        out.rows(raw, "employee_id", np.array(sorted(repeated), dtype=np.int64), lambda m: m, notes)
    if out.total:
        raise DataError(out.problems, total=out.total)
    return Groups(path, ids.tolist(), groups.tolist(), raw.line_of(range(len(ids))))


def _group_problem(value: str) -> str | None:
    if not value:
        return "is empty; every listed employee needs a group"
    if _CONTROL.search(value):
        return "holds a control character"
    if value.startswith("("):
        return f"may not start with '(' ({NOT_LISTED} is the report's name for employees not listed)"
    if len(value) > _MAX_GROUP:
        return f"is {len(value)} characters long; a group name has at most {_MAX_GROUP}"
    return None


def _check(out: Collector, raw, column: str, values: pd.Series, problem: Callable[[str], str | None]) -> None:
    messages = values.map(problem)
    bad = np.flatnonzero(messages.notna().to_numpy())
    out.rows(raw, column, bad, lambda m: m, messages)


# --- ids: employee ids or pseudonyms ---------------------------------------------------------------


def joiner(id_lists: Iterable[Iterable[str]], key: Callable[[], SiteKey]) -> Callable[[str], str]:
    """A function that turns each id of the files into one form, so that the files can be joined.

    All ids plain, or all pseudonyms: the ids themselves (pseudonyms in canonical form); the key
    is not read. A mix: pseudonyms, computing those of plain ids with the site key.

    >>> same = joiner([["E1", "E2"], ["E2"]], key=lambda: 1 / 0)
    >>> same("E2")
    'E2'
    >>> mixed = joiner([["E000001"], ["emp-805d-038d-8d61"]], key=lambda: bytes(32))
    >>> mixed("E000001"), mixed("emp-805d-038d-8d61")
    ('EMP-805D-038D-8D61', 'EMP-805D-038D-8D61')
    """
    plain, pseudo = [], False
    for ids in id_lists:
        for value in ids:
            if normalise_pseudonym(value) is None:
                plain.append(value)
            else:
                pseudo = True
    if not pseudo:
        return lambda value: value
    if not plain:
        return lambda value: normalise_pseudonym(value) or value
    names = PseudonymMap(key(), plain)  # refuses two ids under one pseudonym
    return lambda value: normalise_pseudonym(value) or names.pseudonym(value)


# --- the statistics -----------------------------------------------------------------------------


def katz_interval(
    a: int, n1: int, c: int, n2: int, z: float = _Z
) -> tuple[float | None, float, float | None, bool]:
    """The ratio of two proportions, a/n1 : c/n2, and its Katz log interval.

    ln(ratio) +- z * sqrt(1/a - 1/n1 + 1/c - 1/n2). When a cell of the 2x2 table (a, n1-a, c,
    n2-c) is zero, the interval is computed with 0.5 added to every cell (n1 and n2 grow by 1),
    and the last value says so. The ratio itself is the plain one: None when c is 0 (the rest has
    no one selected: unbounded, or undefined if a is 0 too), so that a group with no one selected
    never shows a ratio above 1. On the side of a zero the data rule nothing out: a = 0 gives the
    lower bound 0, c = 0 no upper bound (None).

    >>> r, lo, hi, corrected = katz_interval(1, 10, 1, 90)
    >>> round(r, 4), round(lo, 4), round(hi, 4), corrected
    (9.0, 0.6087, 133.0783, False)
    >>> r, lo, hi, corrected = katz_interval(2, 10, 0, 90)
    >>> r, round(lo, 3), hi, corrected
    (None, 2.12, None, True)
    >>> r, lo, hi, corrected = katz_interval(0, 10, 4, 90)
    >>> r, lo, round(hi, 2), corrected
    (0.0, 0.0, 15.95, True)
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need members")
    ratio = (a / n1) / (c / n2) if c > 0 else None
    corrected = min(a, n1 - a, c, n2 - c) == 0
    a_, c_, n1_, n2_ = (a + 0.5, c + 0.5, n1 + 1, n2 + 1) if corrected else (a, c, n1, n2)
    centre = (a_ / n1_) / (c_ / n2_)
    spread = z * math.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n2_)
    low = 0.0 if a == 0 else centre * math.exp(-spread)
    high = None if c == 0 else centre * math.exp(spread)
    return ratio, low, high, corrected


# --- the report ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One group in one selection; the figures are None when the group or its rest is too small."""

    group: str
    size: int
    shown: bool
    count: int | None = None
    share: float | None = None
    rest_size: int = 0
    rest_count: int | None = None
    rest_share: float | None = None
    ratio: float | None = None  # None: the rest has no one selected (see katz_interval)
    low: float | None = None
    high: float | None = None  # None when shown: no upper bound
    corrected: bool = False
    flagged: bool = False


@dataclass
class Measure:
    """A selection of employees (the top 1%, the alerts, one rule's findings) and its rows."""

    name: str
    kind: str  # "top", "alerts", "rule", "any finding"
    selected: int
    note: str | None
    rows: list[Row]


@dataclass
class Report:
    scores_file: str
    groups_file: str
    findings_file: str | None
    population: int
    groups: dict[str, int]
    min_group_size: int
    measures: list[Measure]
    notes: list[str] = field(default_factory=list)
    band: tuple[float, float] = BAND
    level: float = LEVEL
    interval: str = "Katz log interval; 0.5 added to every cell of a 2x2 table with a zero cell"
    tie_break: str = TIE_BREAK

    @property
    def flagged(self) -> list[tuple[str, str]]:
        return [(m.name, r.group) for m in self.measures for r in m.rows if r.flagged]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["band"] = list(self.band)
        d["flagged"] = [{"measure": m, "group": g} for m, g in self.flagged]
        return d


def fairness_report(
    scores: Scores,
    groups: Groups,
    findings: pd.DataFrame | None = None,
    *,
    key: Callable[[], SiteKey] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    scores_name: str = "scores",
    findings_name: str | None = None,
) -> Report:
    """The report for ``scores`` (the population), ``groups`` and optionally ``findings``.

    ``key`` gives the site key, asked for only when the files mix ids and pseudonyms.
    """
    if min_group_size < 1:
        raise UsageError(f"the smallest group shown must be at least 1, got {min_group_size}")
    finding_ids = (
        [] if findings is None else [v for v in findings["employee_id"].tolist() if isinstance(v, str)]
    )

    def no_key() -> SiteKey:
        raise UsageError("the files mix employee ids and pseudonyms; joining them needs the site key")

    join = joiner([scores.ids, groups.ids, finding_ids], key or no_key)
    people = [join(e) for e in scores.ids]
    n = len(people)
    position = {e: i for i, e in enumerate(people)}
    member = np.full(n, NOT_LISTED, dtype=object)
    unmatched = 0
    for value, group in zip(groups.ids, groups.groups, strict=True):
        i = position.get(join(value))
        if i is None:
            unmatched += 1
        else:
            member[i] = group
    notes = []
    if unmatched == len(groups.ids):
        raise DataError(
            [
                Problem(
                    groups.path.name,
                    None,
                    None,
                    "employee_id",
                    f"no listed employee is in {scores_name}: ids of another data set, or pseudonyms "
                    "under another site key?",
                )
            ]
        )
    if unmatched:
        notes.append(
            f"{unmatched:,} employees in {groups.path.name} have no score (left, or not in this data set); "
            "they are not counted"
        )
    names = sorted(set(member.tolist()) - {NOT_LISTED})
    if NOT_LISTED in member:
        names.append(NOT_LISTED)
        notes.append(
            f"{int((member == NOT_LISTED).sum()):,} scored employees are not in {groups.path.name}: "
            f"they form the group {NOT_LISTED}"
        )
    sizes = {g: int((member == g).sum()) for g in names}

    measures = []
    order = np.lexsort((np.array(scores.ids, dtype=object).astype(str), -scores.scores))
    for share in ("1%", "2%"):
        k = resolve_ks([share], n)[0][0]
        chosen = np.zeros(n, dtype=bool)
        chosen[order[:k]] = True
        cut = scores.scores[order[k - 1]]
        tied_out = int((scores.scores[order[k:]] == cut).sum())
        note = None
        if tied_out:
            tied_in = int((scores.scores[order[:k]] == cut).sum())
            note = (
                f"the cut falls among {tied_in + tied_out:,} employees with the score {cut:g}; "
                f"{tied_in:,} of them are inside by the tie rule ({TIE_BREAK})"
            )
        measures.append(_measure(f"top {share}", "top", chosen, member, names, min_group_size, note))
    if scores.alert is not None:
        measures.append(_measure("alerts", "alerts", scores.alert, member, names, min_group_size, None))
    else:
        notes.append(f"{scores_name} has no alert column: no figures for alerts")

    if findings is not None:
        found = findings[findings["employee_id"].map(lambda v: isinstance(v, str))]
        who = found["employee_id"].map(join)
        inside = who.map(position.__contains__).to_numpy(dtype=bool)
        outside = int(who[~inside].nunique())
        if outside:
            notes.append(
                f"{outside:,} employees with findings in {findings_name} are not in {scores_name}; "
                "their findings are not counted"
            )
        rows = pd.DataFrame(
            {"rule": found["rule_id"].astype(str).to_numpy()[inside], "at": who[inside].map(position)}
        )
        for rule in sorted(rows["rule"].unique()):
            chosen = np.zeros(n, dtype=bool)
            chosen[rows.loc[rows["rule"] == rule, "at"].to_numpy(dtype=np.int64)] = True
            measures.append(_measure(f"rule {rule}", "rule", chosen, member, names, min_group_size, None))
        chosen = np.zeros(n, dtype=bool)
        chosen[rows["at"].to_numpy(dtype=np.int64)] = True
        measures.append(_measure("any finding", "any finding", chosen, member, names, min_group_size, None))

    return Report(
        scores_file=scores_name,
        groups_file=groups.path.name,
        findings_file=findings_name,
        population=n,
        groups=sizes,
        min_group_size=min_group_size,
        measures=measures,
        notes=notes,
    )


def _measure(name, kind, chosen: np.ndarray, member: np.ndarray, names, min_size: int, note) -> Measure:
    n, total = len(chosen), int(chosen.sum())
    rows = []
    for g in names:
        inside = member == g
        size, rest = int(inside.sum()), n - int(inside.sum())
        if size < min_size or rest < min_size:  # the rest's figures would show the group's, and back
            rows.append(Row(g, size, False, rest_size=rest))
            continue
        a = int((chosen & inside).sum())
        c = total - a
        ratio, low, high, corrected = katz_interval(a, size, c, rest)
        rows.append(
            Row(
                g,
                size,
                True,
                count=a,
                share=a / size,
                rest_size=rest,
                rest_count=c,
                rest_share=c / rest,
                ratio=ratio,
                low=low,
                high=high,
                corrected=corrected,
                flagged=low > BAND[1],
            )
        )
    return Measure(name, kind, total, note, rows)


# --- text ---------------------------------------------------------------------------------------


def format_report(report: Report) -> str:
    """The report as text: a heading, the groups, then one table per selection."""
    lo, hi = report.band
    lines = [
        f"Fairness report: {report.scores_file} ({report.population:,} employees), "
        f"groups from {report.groups_file}"
        + (f", findings from {report.findings_file}" if report.findings_file else ""),
        f"ratio = the group's share / the rest's share; interval: {report.level:.0%} Katz log interval "
        "(* = 0.5 added to each cell, as one was zero)",
        f"! = the whole interval lies above {hi:g}, the top of the fairness band {lo:g}-{hi:g}",
        f"groups or rests under {report.min_group_size} employees are shown by size only",
        "",
    ]
    header = ("group", "size", "in", "share", "rest", "ratio", "interval", "")
    for m in report.measures:
        lines.append(f"{m.name}: {m.selected:,} employees" + (f" ({m.note})" if m.note else ""))
        table = [header]
        for r in m.rows:
            if not r.shown:
                table.append((r.group, f"{r.size:,}", "", "", "", "", "too small", ""))
                continue
            table.append(
                (
                    r.group,
                    f"{r.size:,}",
                    f"{r.count:,}",
                    _pct(r.share),
                    _pct(r.rest_share),
                    _ratio(r),
                    f"{_num(r.low)}-{_num(r.high)}" + ("*" if r.corrected else ""),
                    "!" if r.flagged else "",
                )
            )
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            cells = [row[0].ljust(widths[0])] + [row[i].rjust(widths[i]) for i in range(1, len(header) - 2)]
            cells += [row[-2].ljust(widths[-2]), row[-1]]
            lines.append("  " + "  ".join(cells).rstrip())
        lines.append("")
    flagged = report.flagged
    if flagged:
        lines.append(f"{len(flagged)} ratio{'s' if len(flagged) != 1 else ''} above the band:")
        lines += [f"  {g} in {m}" for m, g in flagged]
    else:
        lines.append(f"No ratio lies wholly above {hi:g}.")
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def _pct(x: float) -> str:
    """A share as a percentage with sensible precision.

    >>> _pct(0.25), _pct(0.0125), _pct(0.0), _pct(4912 / 4913), _pct(1.0)
    ('25.0%', '1.25%', '0.0%', '99.98%', '100.0%')
    """
    return f"{x:.2%}" if 0 < x < 0.1 or 0.999 <= x < 1 else f"{x:.1%}"


def _num(x: float | None) -> str:
    """A bound with three significant figures: 0.608, 2.12, 41.4, 807; None is unbounded.

    >>> _num(0.6087), _num(2.1203), _num(41.36), _num(807.11), _num(0.0), _num(None)
    ('0.609', '2.12', '41.4', '807', '0', 'inf')
    """
    if x is None:
        return "inf"
    return f"{x:.3g}" if x < 1000 else f"{x:,.0f}"


def _ratio(r: Row) -> str:
    if r.ratio is not None:
        return f"{r.ratio:.2f}"
    return "inf" if r.count else "-"
