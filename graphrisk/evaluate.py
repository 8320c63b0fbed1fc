"""Evaluating risk scores against a data set's ground truth.

``graphrisk evaluate DATASET --scores SCORES`` compares the scores a scorer gave
to every employee with the planted truth of a (synthetic) data set: how many
planted insiders rank near the top, which scenarios are missed, and whether
legitimate look-alike groups (night shift, national unit, large families, ...)
are flagged more often than other innocent employees. This module is the only
part of graphrisk that reads ``ground_truth``.

Ground truth
------------
``DATASET/ground_truth.csv`` (or ``.parquet``) with columns ``employee_id`` and
``label``; one employee may have several rows. A label is ``insider:<scenario>``
for a planted insider or ``lookalike:<group>`` for a member of a legitimate
look-alike group. Employees without an ``insider:`` label are negatives. The
population is ``DATASET/employees.csv`` (or ``.parquet``). Both files are
checked against the contract as ``graphrisk validate`` does.

Scores file
-----------
One row per employee, in any of these forms (chosen by the file name's ending):

``.csv``
    UTF-8 with a header row (line 1); extra columns are ignored.
``.parquet``
    One row per employee; problems name the 1-based row number.
``.json``
    Either a list of records, ``[{"employee_id": "E1", "score": 87.5}, ...]``,
    or an object holding such a list under ``"scores"`` (other keys, e.g.
    metadata about the scorer, are ignored). Problems name the line on which
    a record starts.

Columns (fields of a JSON record):

``employee_id`` (required)
    An id from ``employees``; each employee at most once. Unknown ids are an
    error: they mean the scores belong to another data set.
``score`` (required)
    A finite real number, higher is riskier; 0-100 by convention, but only the
    order and the threshold matter. NaN, infinities and empty values are errors.
    In CSV and Parquet string columns a number written as text is accepted; in
    JSON it must be a JSON number.
``alert`` (optional)
    Whether the scorer raised an alert: ``true``/``false`` (also ``1``/``0``,
    ``yes``/``no``, any case, in text; booleans or 0/1 in Parquet and JSON).
    When present it defines the alerts, and no threshold may be given.

Employees of the data set that have no row count as scored ``-inf``: they rank
last (tied with each other) and are never alerted. Their number is reported.

Examples
--------
The hand-made micro data set of the tests: ten employees, two insiders.

>>> from pathlib import Path
>>> data = Path(__file__).parents[1] / "tests" / "data" / "evaluate"
>>> ev = evaluate(data / "micro", data / "scores.csv", ks=[3, "40%"])
>>> ev.roc_auc, ev.average_precision
(0.90625, 0.75)
>>> [(t.k, t.true_positives, round(t.precision, 3)) for t in ev.top_k]
[(3, 2, 0.667), (4, 2, 0.5)]
>>> print(format_evaluation(ev))  # doctest: +ELLIPSIS
Evaluation of .../scores.csv against the ground truth of .../micro
employees 10, insiders 2 (20.0%), non-insiders 8
...
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graphrisk.contract import TABLES
from graphrisk.errors import DataError, Problem, UsageError
from graphrisk.ingest.files import RawTable, find_files, read_raw
from graphrisk.ingest.validate import Collector, check_keys, check_references, type_table

__all__ = [
    "DEFAULT_THRESHOLD",
    "TIE_BREAK",
    "Alerts",
    "CountAtK",
    "Evaluation",
    "LookalikeGroup",
    "ScenarioRecall",
    "TopK",
    "average_precision",
    "evaluate",
    "format_evaluation",
    "resolve_ks",
    "roc_auc",
]

#: Alert threshold on the score when the scores file has no ``alert`` column.
DEFAULT_THRESHOLD = 50.0
#: Default k's: shares of the employees, then absolute numbers (dropped when above N).
DEFAULT_KS: tuple[str, ...] = ("1%", "2%", "10", "50", "100")
#: How the top-k ranking orders employees with equal scores.
TIE_BREAK = "employee_id ascending (string order)"

_INSIDER = "insider:"
_LOOKALIKE = "lookalike:"
_SCORES_SUFFIXES = (".csv", ".parquet", ".json")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class CountAtK:
    """How many members of a group are in the top ``k``, and that share of the group."""

    k: int
    count: int
    rate: float | None  #: ``count`` over the group's size; None for an empty group


@dataclass(frozen=True)
class TopK:
    """Detection among the ``k`` highest-ranked employees."""

    k: int
    asked_as: tuple[str, ...]  #: the k's as given ("1%", "10") that resolved to this k
    true_positives: int
    false_positives: int
    precision: float
    recall: float | None  #: None when the data set has no insiders
    false_positive_rate: float | None  #: false positives over all non-insiders
    ties_left_out: int  #: employees below the cut with the same score as the k-th


@dataclass(frozen=True)
class Alerts:
    """Detection among the alerted employees."""

    rule: str  #: "alert column" or "score >= T"
    threshold: float | None  #: T, or None when the alert column decides
    alerts: int
    true_positives: int
    false_positives: int
    precision: float | None  #: None when nobody is alerted
    recall: float | None
    false_positive_rate: float | None


@dataclass(frozen=True)
class ScenarioRecall:
    """Recall of the insiders planted under one scenario (``insider:<scenario>``)."""

    scenario: str
    insiders: int
    at_k: tuple[CountAtK, ...]  #: one per k of :attr:`Evaluation.top_k`, same order
    alerted: int
    alert_recall: float


@dataclass(frozen=True)
class LookalikeGroup:
    """False positives among the innocent members of one look-alike group."""

    group: str
    size: int  #: every member, insiders included
    non_insiders: int  #: the members the rates are about
    at_k: tuple[CountAtK, ...]  #: non-insider members in the top k, over ``non_insiders``
    alerted: int  #: non-insider members alerted
    alert_rate: float | None


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`; :meth:`to_dict` gives a JSON-ready dict."""

    dataset: str
    scores_file: str
    employees: int
    insiders: int
    non_insiders: int
    scored: int  #: employees with a row in the scores file
    missing: int  #: employees without one (ranked last, never alerted)
    missing_insiders: int
    tie_break: str
    roc_auc: float | None
    average_precision: float | None
    top_k: tuple[TopK, ...]
    alerts: Alerts
    scenarios: tuple[ScenarioRecall, ...] = ()
    lookalikes: tuple[LookalikeGroup, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, strings, numbers and None; undefined metrics are None."""
        return _plain(self)


def evaluate(
    dataset_dir: str | os.PathLike[str],
    scores_path: str | os.PathLike[str],
    *,
    ks: Sequence[int | str] | None = None,
    threshold: float | None = None,
) -> Evaluation:
    """Compare the scores in ``scores_path`` with the ground truth of ``dataset_dir``.

    Parameters
    ----------
    dataset_dir : path
        A data set directory with ``employees`` and ``ground_truth`` files.
    scores_path : path
        A ``.csv``, ``.parquet`` or ``.json`` scores file (see the module docstring).
    ks : sequence of int or str, optional
        Sizes of the top of the ranking to evaluate: an int or a string such as
        ``"25"`` for an absolute number, ``"2%"`` for a share of the employees.
        Default: 1% and 2% of the employees, and 10, 50 and 100 where not more
        than the number of employees. See :func:`resolve_ks`.
    threshold : float, optional
        Employees with ``score >= threshold`` are alerted; default
        :data:`DEFAULT_THRESHOLD` (50). Must not be given when the scores file
        has an ``alert`` column, which then decides.

    Returns
    -------
    Evaluation

    Raises
    ------
    UsageError
        A path that does not exist, a scores file of another type, a malformed
        or too large k, a non-finite threshold, or a threshold next to an
        ``alert`` column.
    DataError
        ``employees`` or ``ground_truth`` is missing or breaks the contract, or
        the scores file is malformed: a missing column, an empty, non-numeric,
        NaN or infinite score, an unreadable alert, a duplicate or unknown
        ``employee_id``. Every problem names file, line and column.

    Notes
    -----
    Let :math:`N` be the number of employees, :math:`P` the insiders (employees
    with at least one ``insider:`` label) and :math:`N - P` the non-insiders.
    Employees missing from the scores get :math:`s = -\\infty`.

    *Top k.* Employees are ranked by score, highest first; equal scores are
    ordered by ``employee_id`` (ascending string order), so the top k is
    deterministic even when the cut falls inside a group of ties;
    :attr:`TopK.ties_left_out` says when it does. With :math:`TP_k` insiders
    among the top k,

    .. math:: \\mathrm{precision}@k = TP_k / k, \\qquad
              \\mathrm{recall}@k = TP_k / P, \\qquad
              \\mathrm{FPR}@k = (k - TP_k) / (N - P).

    *Alerts.* The same with the alerted employees in place of the top k.

    *Per scenario* the recall counts the scenario's insiders only; an insider
    with two scenarios counts in both. *Per look-alike group* the rate is the
    share of the group's non-insider members in the top k (or alerted), to be
    read next to :math:`\\mathrm{FPR}@k` of all non-insiders.

    *ROC AUC* and *average precision* use the scores themselves, ties
    included (no tie-break); see :func:`roc_auc` and :func:`average_precision`.
    """
    directory = Path(dataset_dir)
    if not directory.is_dir():
        raise UsageError(f"data set directory {str(directory)!r} does not exist")
    scores_file = Path(scores_path)
    if scores_file.suffix not in _SCORES_SUFFIXES:
        raise UsageError(f"scores file {scores_file.name!r} must end in .csv, .parquet or .json")
    if not scores_file.is_file():
        raise UsageError(f"scores file {str(scores_file)!r} does not exist")
    if threshold is not None:
        threshold = _check_threshold(threshold)
    if isinstance(ks, str):
        ks = [ks]
    for k in ks or ():
        _parse_k(k)  # refuse a malformed k before reading anything

    employee_ids, labels = _read_truth(directory)
    n = len(employee_ids)
    resolved = resolve_ks(ks, n)
    scores = _read_scores(scores_file, employee_ids)
    if scores.alert is not None and threshold is not None:
        raise UsageError(
            f"{scores_file.name} has an alert column, which decides the alerts; do not give a threshold too"
        )

    index = {e: i for i, e in enumerate(employee_ids)}
    score = np.full(n, -np.inf)
    rows = np.array([index[e] for e in scores.ids], dtype=np.int64)
    score[rows] = scores.scores
    scored = np.zeros(n, dtype=bool)
    scored[rows] = True
    if scores.alert is not None:
        alerted = np.zeros(n, dtype=bool)
        alerted[rows] = scores.alert
        rule, used_threshold = "alert column", None
    else:
        used_threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        alerted = score >= used_threshold
        rule = f"score >= {_shortest(used_threshold)}"

    scenarios: dict[str, np.ndarray] = {}
    groups: dict[str, np.ndarray] = {}
    for employee, label in labels:
        kind, name = _split_label(label)
        members = scenarios if kind == _INSIDER else groups
        members.setdefault(name, np.zeros(n, dtype=bool))[index[employee]] = True
    positive = np.zeros(n, dtype=bool)
    for mask in scenarios.values():
        positive |= mask
    negative = ~positive
    n_pos, n_neg = int(positive.sum()), int(negative.sum())

    ids = np.array(employee_ids, dtype=object)
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(-score[by_id], kind="stable")]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    tops = {k: position < k for k, _ in resolved}

    top_k = []
    for k, asked in resolved:
        tp = int((tops[k] & positive).sum())
        kth = score[order[k - 1]]
        top_k.append(
            TopK(
                k=k,
                asked_as=asked,
                true_positives=tp,
                false_positives=k - tp,
                precision=tp / k,
                recall=_ratio(tp, n_pos),
                false_positive_rate=_ratio(k - tp, n_neg),
                ties_left_out=int((score[order[k:]] == kth).sum()),
            )
        )
    n_alerts = int(alerted.sum())
    tp_alert = int((alerted & positive).sum())
    alerts = Alerts(
        rule=rule,
        threshold=used_threshold,
        alerts=n_alerts,
        true_positives=tp_alert,
        false_positives=n_alerts - tp_alert,
        precision=_ratio(tp_alert, n_alerts),
        recall=_ratio(tp_alert, n_pos),
        false_positive_rate=_ratio(n_alerts - tp_alert, n_neg),
    )
    scenario_rows = tuple(
        ScenarioRecall(
            scenario=name,
            insiders=int(mask.sum()),
            at_k=_counts(mask, tops),
            alerted=int((mask & alerted).sum()),
            alert_recall=int((mask & alerted).sum()) / int(mask.sum()),
        )
        for name, mask in sorted(scenarios.items())
    )
    group_rows = []
    for name, mask in sorted(groups.items()):
        innocent = mask & negative
        flagged = int((innocent & alerted).sum())
        group_rows.append(
            LookalikeGroup(
                group=name,
                size=int(mask.sum()),
                non_insiders=int(innocent.sum()),
                at_k=_counts(innocent, tops),
                alerted=flagged,
                alert_rate=_ratio(flagged, int(innocent.sum())),
            )
        )
    return Evaluation(
        dataset=str(directory),
        scores_file=str(scores_file),
        employees=n,
        insiders=n_pos,
        non_insiders=n_neg,
        scored=int(scored.sum()),
        missing=int((~scored).sum()),
        missing_insiders=int((~scored & positive).sum()),
        tie_break=TIE_BREAK,
        roc_auc=roc_auc(score, positive),
        average_precision=average_precision(score, positive),
        top_k=tuple(top_k),
        alerts=alerts,
        scenarios=scenario_rows,
        lookalikes=tuple(group_rows),
    )


def resolve_ks(ks: Sequence[int | str] | None, n: int) -> list[tuple[int, tuple[str, ...]]]:
    """Turn the k's asked for into distinct top-k sizes for ``n`` employees.

    Parameters
    ----------
    ks : sequence of int or str, or None
        ``25`` or ``"25"``: the top 25; ``"2%"`` or ``"0.5%"``: a share of the
        ``n`` employees. None (or empty) gives the default ``1%, 2%, 10, 50,
        100``, where absolute k's above ``n`` are left out.
    n : int
        The number of employees.

    Returns
    -------
    list of (k, asked_as)
        Sorted by k; k's asked for in several ways are merged, keeping each
        way in ``asked_as``.

    Raises
    ------
    UsageError
        A k that is not a positive whole number or a share in (0%, 100%], or
        an absolute k given explicitly that is larger than ``n``.

    Notes
    -----
    A share :math:`p\\%` resolves to :math:`k = \\max(1, \\lceil p n / 100 \\rceil)`,
    computed exactly (no floating-point rounding), so the top k holds at
    least :math:`p\\%` of the employees.

    Examples
    --------
    >>> resolve_ks(None, 1000)
    [(10, ('1%', '10')), (20, ('2%',)), (50, ('50',)), (100, ('100',))]
    >>> resolve_ks([25, "2.5%"], 300)
    [(8, ('2.5%',)), (25, ('25',))]
    """
    if isinstance(ks, str):
        ks = [ks]
    defaults = not ks
    merged: dict[int, list[str]] = {}
    for spec in DEFAULT_KS if defaults else ks:
        text, share = _parse_k(spec)
        if share is not None:
            k = max(1, math.ceil(share * n / 100))
        else:
            k = int(text)
            if k > n:
                if defaults:
                    continue
                raise UsageError(f"k = {k} is more than the {n} employees of the data set")
        if text not in merged.setdefault(k, []):
            merged[k].append(text)
    return [(k, tuple(merged[k])) for k in sorted(merged)]


def roc_auc(scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray) -> float | None:
    """Area under the ROC curve, with tied scores counted as half a win.

    Parameters
    ----------
    scores : array of float
        Higher is riskier; ``-inf`` is allowed, NaN is not.
    positive : array of bool
        True for the positives (insiders).

    Returns
    -------
    float or None
        None when there are no positives or no negatives.

    Notes
    -----
    The Mann-Whitney form: with :math:`R_+` the sum of the ranks of the
    :math:`P` positives among all scores in ascending order, tied scores
    sharing the average of their ranks, and :math:`Q` negatives,

    .. math:: \\mathrm{AUC} = \\frac{R_+ - P(P+1)/2}{P\\,Q}

    which equals the probability that a random positive scores above a random
    negative, ties counting 1/2.

    Examples
    --------
    >>> roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True])
    0.75
    >>> roc_auc([1, 1, 1], [True, False, False])
    0.5
    """
    s, pos = _as_arrays(scores, positive)
    n_pos = int(pos.sum())
    n_neg = len(s) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1  # 1-based rank of each distinct value's first
    average_rank = first_rank + (counts - 1) / 2
    rank_sum = float(average_rank[inverse][pos].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def average_precision(
    scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray
) -> float | None:
    """Average precision as scikit-learn defines it, tied scores taken together.

    Parameters
    ----------
    scores : array of float
        Higher is riskier; ``-inf`` is allowed, NaN is not.
    positive : array of bool
        True for the positives (insiders).

    Returns
    -------
    float or None
        None when there are no positives.

    Notes
    -----
    Walking the distinct scores from high to low, the :math:`n`-th threshold
    :math:`t_n` flags everyone with :math:`s \\ge t_n`; :math:`P_n` and
    :math:`R_n` are the precision and recall of that flagging, :math:`R_0 = 0`:

    .. math:: \\mathrm{AP} = \\sum_n (R_n - R_{n-1})\\, P_n

    A group of tied scores enters as one step, so the order within it does not
    matter (``sklearn.metrics.average_precision_score``, no interpolation).
    A random ranking gets about the share of positives.

    Examples
    --------
    >>> round(average_precision([0.1, 0.4, 0.35, 0.8], [False, False, True, True]), 4)
    0.8333
    """
    s, pos = _as_arrays(scores, positive)
    n_pos = int(pos.sum())
    if n_pos == 0:
        return None
    values, inverse = np.unique(s, return_inverse=True)
    tp = np.bincount(inverse, weights=pos, minlength=len(values))[::-1].cumsum()
    flagged = np.bincount(inverse, minlength=len(values))[::-1].cumsum()
    precision = tp / flagged
    recall = tp / n_pos
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def format_evaluation(ev: Evaluation) -> str:
    """A plain-text report of ``ev`` for people: overview, ranking, scenarios, look-alikes.

    Rates are shown as ``count/total`` and a percentage; undefined metrics as ``n/a``.
    """
    out: list[str] = []
    share = f" ({ev.insiders / ev.employees:.1%})" if ev.employees else ""
    out.append(f"Evaluation of {ev.scores_file} against the ground truth of {ev.dataset}")
    out.append(f"employees {ev.employees}, insiders {ev.insiders}{share}, non-insiders {ev.non_insiders}")
    missing = f"{ev.missing} missing"
    if ev.missing:
        missing += f" (ranked last as score -inf, never alerted; {ev.missing_insiders} of them insiders)"
    out.append(f"scored {ev.scored}, {missing}")
    if ev.insiders == 0:
        out.append("no insiders in the ground truth: recall, ROC AUC and average precision are undefined")
    out.append("")
    prevalence = f"{ev.insiders / ev.employees:.3f}" if ev.employees else "n/a"
    out.append(f"ROC AUC            {_num(ev.roc_auc)}   (a random ranking gets 0.5)")
    out.append(
        f"average precision  {_num(ev.average_precision)}   (a random ranking gets about {prevalence})"
    )
    out.append("")

    heads = ["", "flagged", "insiders", "precision", "recall", "FP rate", "ties left out"]
    rows = [
        [
            _k_name(t),
            str(t.k),
            str(t.true_positives),
            _num(t.precision),
            _num(t.recall),
            _num(t.false_positive_rate),
            str(t.ties_left_out),
        ]
        for t in ev.top_k
    ]
    a = ev.alerts
    rows.append(
        [
            f"alerts ({a.rule})",
            str(a.alerts),
            str(a.true_positives),
            _num(a.precision),
            _num(a.recall),
            _num(a.false_positive_rate),
            "",
        ]
    )
    out.append("Detection (FP rate: share of all non-insiders flagged)")
    out.extend(_table(heads, rows))
    out.append(f"Equal scores at a top-k cut are ordered by {ev.tie_break}; 'ties left out' counts")
    out.append(
        "employees below the cut with the k-th score. ROC AUC and average precision count ties as ties."
    )

    k_heads = [f"top {t.k}" for t in ev.top_k] + ["alerts"]
    if ev.scenarios:
        out.append("")
        out.append("Recall per insider scenario (insiders found, share of those planted)")
        rows = [
            [s.scenario, str(s.insiders)]
            + [_frac(c.count, s.insiders) for c in s.at_k]
            + [_frac(s.alerted, s.insiders)]
            for s in ev.scenarios
        ]
        out.extend(_table(["scenario", "insiders", *k_heads], rows))
    if ev.lookalikes:
        out.append("")
        out.append(
            "Look-alike groups: innocent (non-insider) members flagged and their share, vs all non-insiders"
        )
        rows = [
            ["(all non-insiders)", str(ev.employees), str(ev.non_insiders)]
            + [_frac(t.false_positives, ev.non_insiders) for t in ev.top_k]
            + [_frac(a.false_positives, ev.non_insiders)]
        ]
        rows += [
            [g.group, str(g.size), str(g.non_insiders)]
            + [_frac(c.count, g.non_insiders) for c in g.at_k]
            + [_frac(g.alerted, g.non_insiders)]
            for g in ev.lookalikes
        ]
        out.extend(_table(["group", "size", "innocent", *k_heads], rows))
    return "\n".join(out) + "\n"


# --- reading the data set and the scores -------------------------------------------------------


@dataclass
class _Scores:
    ids: list[str]
    scores: np.ndarray
    alert: np.ndarray | None


@dataclass
class _JsonTable(RawTable):
    """JSON records as a raw table: problems name the line where a record starts."""

    text: str = ""
    _record_lines: list[int] | None = None

    def column_index(self, name: str) -> int | None:
        return None  # JSON fields have no position

    def line_of(self, positions) -> list[int]:
        positions = list(positions)
        if positions and self._record_lines is None:  # only problems need them: decode again
            newlines = [m.start() for m in re.finditer("\n", self.text)]
            starts = _record_starts(self.text, _records_start(self.text))
            self._record_lines = [bisect.bisect_left(newlines, s) + 1 for s in starts]
        return [self._record_lines[int(p)] for p in positions]


def _read_truth(directory: Path) -> tuple[list[str], list[tuple[str, str]]]:
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
    for prefix in (_INSIDER, _LOOKALIKE):
        if label.startswith(prefix):
            return label[len(prefix) :].strip() != ""
    return False


def _split_label(label: str) -> tuple[str, str]:
    prefix = _INSIDER if label.startswith(_INSIDER) else _LOOKALIKE
    return prefix, label[len(prefix) :].strip()


def _read_scores(path: Path, employee_ids: list[str]) -> _Scores:
    raw = _read_json(path) if path.suffix == ".json" else read_raw("scores", path)
    out = Collector()
    out.extend(raw.problems)
    frame = raw.frame
    if frame is None or out.total:
        raise DataError(out.problems, total=out.total)
    missing = [c for c in ("employee_id", "score") if c not in raw.header]
    for name in missing:
        out.add(
            Problem(raw.display, 1 if raw.kind == "csv" else None, None, name, "required column is missing")
        )
    if missing:
        raise DataError(out.problems, total=out.total)

    n = len(frame)
    text_ok = raw.kind != "json"
    ids = list(_column(out, raw, "employee_id", frame["employee_id"], _parse_id, _fast_ids))
    known = set(employee_ids)
    seen: dict[str, int] = {}
    unknown, repeated, repeat_notes = [], [], {}
    for pos, value in enumerate(ids):
        if value is None:
            continue
        if value not in known:
            unknown.append(pos)
        elif value in seen:
            repeated.append(pos)
            repeat_notes[pos] = seen[value]
        else:
            seen[value] = pos
    id_values = pd.Series(ids, dtype=object)
    out.rows(raw, "employee_id", np.array(unknown, dtype=np.int64), _unknown_id, id_values)
    if repeated:
        firsts = dict(zip(repeated, raw.line_of([repeat_notes[p] for p in repeated]), strict=True))
        unit = "line" if raw.kind in ("csv", "json") else "row"
        notes = pd.Series(
            [
                f"duplicate employee_id {ids[p]!r}: first seen on {unit} {firsts[p]}" if p in firsts else ""
                for p in range(n)
            ],
            dtype=object,
        )
        out.rows(raw, "employee_id", np.array(repeated, dtype=np.int64), lambda m: m, notes)

    scores = _column(
        out,
        raw,
        "score",
        frame["score"],
        lambda v: _parse_score(v, text_ok),
        lambda v: _fast_scores(v, text_ok),
    )
    alert = None
    if "alert" in raw.header:
        alert = _column(
            out,
            raw,
            "alert",
            frame["alert"],
            lambda v: _parse_alert(v, text_ok),
            lambda v: _fast_alerts(v, text_ok),
        )
    if out.total:
        raise DataError(out.problems, total=out.total)
    return _Scores(
        ids=ids,
        scores=np.array(scores, dtype=np.float64),
        alert=np.array(alert, dtype=bool) if alert is not None else None,
    )


@dataclass(frozen=True)
class _Bad:
    """A value that failed to parse: what kind of failure, and the message about the value."""

    kind: str
    message: str


def _column(out: Collector, raw: RawTable, name: str, values: pd.Series, parse, fast) -> Sequence:
    """Parse each value; report failures (a few examples per kind of message, then a count).

    ``fast`` parses the whole column at once, or returns None when any value needs a
    closer look; ``parse`` then takes one value at a time and says what is wrong.
    """
    done = fast(values)
    if done is not None:
        return done
    parsed = [parse(v) for v in values.tolist()]
    by_kind: dict[str, list[int]] = {}
    for pos, p in enumerate(parsed):
        if isinstance(p, _Bad):
            by_kind.setdefault(p.kind, []).append(pos)
    messages = pd.Series([p.message if isinstance(p, _Bad) else "" for p in parsed], dtype=object)
    for positions in by_kind.values():
        out.rows(raw, name, np.array(positions, dtype=np.int64), lambda m: m, messages)
    return [None if isinstance(p, _Bad) else p for p in parsed]


def _fast_ids(values: pd.Series) -> list[str] | None:
    ids = values.tolist()
    return ids if all(type(v) is str and v for v in ids) else None


def _fast_scores(values: pd.Series, text_ok: bool) -> np.ndarray | None:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or values.isna().any():
        return None
    try:
        if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
            number = values.to_numpy(dtype=np.float64)
        elif not pd.api.types.is_object_dtype(dtype):  # text: float() of each, as _parse_score does
            if not text_ok:
                return None
            number = values.to_numpy(dtype=object).astype(np.float64)
        else:  # JSON values: numbers only, never bool or str
            items = values.tolist()
            if not all(type(v) is float or type(v) is int for v in items):
                return None
            number = np.array(items, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if np.isfinite(number).all() else None


def _fast_alerts(values: pd.Series, text_ok: bool) -> np.ndarray | None:
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    items = values.tolist()
    if all(type(v) is bool for v in items):
        return np.array(items, dtype=bool)
    if text_ok and all(type(v) is str for v in items):
        words = [v.strip().lower() for v in items]
        if all(w in _TRUE or w in _FALSE for w in words):
            return np.array([w in _TRUE for w in words], dtype=bool)
    return None


def _parse_id(value) -> str | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value == ""):
        return _Bad("empty", "is empty or missing; an employee id is required")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    return _Bad("type", f"must be a string id, found {type(value).__name__} {value!r}")


def _unknown_id(value: str) -> str:
    return f"{value!r} is not an employee of the data set (scores of another data set?)"


def _parse_score(value, text_ok: bool) -> float | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value.strip() == ""):
        return _Bad("empty", "is empty or missing; a score is required")
    if isinstance(value, (bool, np.bool_)):
        return _Bad("type", f"must be a number, found {value!r}")
    if isinstance(value, str):
        if not text_ok:
            return _Bad("type", f"must be a JSON number, found the string {value!r}")
        try:
            number = float(value)
        except ValueError:
            return _Bad("text", f"{value!r} is not a number")
    elif isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer with hundreds of digits
            return _Bad("finite", f"must be a finite number, found an integer of {len(str(value))} digits")
    else:
        return _Bad("type", f"must be a number, found {type(value).__name__} {value!r}")
    if not math.isfinite(number):
        return _Bad("finite", f"must be a finite number, found {value!r}")
    return number


def _parse_alert(value, text_ok: bool) -> bool | _Bad:
    if value is None or value is pd.NA or (isinstance(value, str) and value.strip() == ""):
        return _Bad("empty", "is empty or missing; true or false is required")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and int(value) in (0, 1):
        return bool(value)
    if text_ok and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return _Bad("alert", f"must be true or false, found {value!r}")


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _read_json(path: Path) -> _JsonTable:
    """Read a JSON scores file, remembering the line on which each record starts."""
    raw = _JsonTable("scores", path, "json", None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raw.problems.append(Problem(path.name, None, None, None, f"not valid UTF-8 ({exc.reason})"))
        return raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raw.problems.append(Problem(path.name, exc.lineno, exc.colno, None, f"not valid JSON: {exc.msg}"))
        return raw
    records = document.get("scores") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raw.problems.append(
            Problem(
                path.name, None, None, None, 'expected a list of records or an object with a "scores" list'
            )
        )
        return raw
    raw.text = text
    not_objects = [i for i, r in enumerate(records) if not isinstance(r, dict)][:5]
    for line in raw.line_of(not_objects):
        raw.problems.append(Problem(path.name, line, None, None, "a record must be a JSON object"))
    if not records:
        raw.problems.append(Problem(path.name, None, None, None, "there are no records"))
    if raw.problems:
        return raw
    header: dict[str, None] = {}
    for r in records:
        header.update(dict.fromkeys(r))
    raw.header = list(header)
    raw.frame = pd.DataFrame(
        {key: pd.Series([r.get(key) for r in records], dtype=object) for key in raw.header},
        index=pd.RangeIndex(len(records)),
    )
    return raw


def _records_start(text: str) -> int:
    """Where the records list starts in valid JSON ``text``: the document, or its (last) "scores"."""
    pos = _JSON_SPACE.match(text).end()
    if text[pos] == "[":
        return pos
    decoder = json.JSONDecoder()
    pos = _JSON_SPACE.match(text, pos + 1).end()  # past "{"
    found = None
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end() + 1  # past ":"
        pos = _JSON_SPACE.match(text, pos).end()
        if key == "scores":
            found = pos  # a repeated key: json.loads keeps the last, so do we
        _, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end()
        if text[pos] == ",":
            pos = _JSON_SPACE.match(text, pos + 1).end()
    return found


def _record_starts(text: str, pos: int) -> list[int]:
    """The offset where each element of the JSON array at ``pos`` starts."""
    decoder = json.JSONDecoder()
    starts = []
    pos = _JSON_SPACE.match(text, pos + 1).end()  # past "["
    while text[pos] != "]":
        starts.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _JSON_SPACE.match(text, pos).end()
        if text[pos] == ",":
            pos = _JSON_SPACE.match(text, pos + 1).end()
    return starts


# --- options ---------------------------------------------------------------------------------------


def _parse_k(spec: int | str) -> tuple[str, Fraction | None]:
    """``(text, share)``: share is the percentage for "2%", None for an absolute k."""
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (int, np.integer, str)):
        raise UsageError(f"k must be a whole number or a percentage such as 2%, not {spec!r}")
    text = str(spec).strip()
    if text.endswith("%"):
        number = text[:-1].strip()
        try:
            share = Fraction(number) if re.fullmatch(r"\d+(\.\d+)?|\.\d+", number) else None
        except (ValueError, ZeroDivisionError):
            share = None
        if share is None or not 0 < share <= 100:
            raise UsageError(f"k = {text!r}: a percentage must be above 0% and at most 100%")
        return f"{number}%", share
    if not re.fullmatch(r"\+?\d+", text) or int(text) < 1:
        raise UsageError(f"k = {text!r}: give a whole number of at least 1 or a percentage such as 2%")
    return str(int(text)), None


def _check_threshold(threshold) -> float:
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise UsageError(f"threshold must be a number, not {threshold!r}") from None
    if isinstance(threshold, bool) or not math.isfinite(value):
        raise UsageError(f"threshold must be a finite number, not {threshold!r}")
    return value


# --- helpers -----------------------------------------------------------------------------------------


def _as_arrays(scores, positive) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    if s.shape != pos.shape or s.ndim != 1:
        raise ValueError("scores and positive must be 1-D arrays of the same length")
    return s, pos


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _counts(mask: np.ndarray, tops: dict[int, np.ndarray]) -> tuple[CountAtK, ...]:
    size = int(mask.sum())
    found = {k: int((mask & top).sum()) for k, top in tops.items()}
    return tuple(CountAtK(k, count, _ratio(count, size)) for k, count in found.items())


def _plain(value):
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _shortest(x: float) -> str:
    """50.0 as "50", 0.1 as "0.1", but never rounded (1234567.0 is not shown as 1.23457e+06)."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _frac(count: int, total: int) -> str:
    """``count`` and its share of ``total``; the total stands in its own column."""
    if not total:
        return f"{count}    n/a"
    share = count / total
    return f"{count} {share:6.3%}" if 0 < share < 0.001 else f"{count} {share:6.1%}"


def _k_name(t: TopK) -> str:
    shares = [a for a in t.asked_as if a.endswith("%")]
    return f"top {t.k}" + (f" ({', '.join(shares)})" if shares else "")


def _table(heads: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned others, two spaces apart."""
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
    lines = []
    for r in [heads, *rows]:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines
