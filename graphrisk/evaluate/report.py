"""The result of an evaluation (dataclasses) and its plain-text report."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

__all__ = [
    "Alerts",
    "Budget",
    "CountAtK",
    "Evaluation",
    "GroupRatio",
    "LookalikeGroup",
    "Quality",
    "ScenarioAtShares",
    "ScenarioRecall",
    "Share",
    "TopK",
    "format_evaluation",
    "shortest",
]


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
class Budget:
    """Detection among the top ``k`` employees, ``k`` the alert budget (what a team can follow up)."""

    k: int
    rule: str  #: how k was found, e.g. "ceil(6000 * 20/6000)"
    true_positives: int
    false_positives: int
    precision: float
    recall: float | None
    ties_left_out: int


@dataclass(frozen=True)
class Share:
    """A top share of the employees (``"2%"``), its size and the rate of all non-insiders in it."""

    share: str
    k: int
    false_positive_rate: float | None  #: non-insiders in the top k over all non-insiders


@dataclass(frozen=True)
class ScenarioAtShares:
    """Recall of one scenario in each top share of :attr:`Quality.shares`, same order."""

    scenario: str
    insiders: int
    found: tuple[int, ...]
    recall: tuple[float, ...]


@dataclass(frozen=True)
class GroupRatio:
    """A look-alike group's innocent members in the top share, against a reference group's rate."""

    group: str
    non_insiders: int
    flagged: int
    rate: float | None
    reference: str  #: "all non-insiders", or "other non-insiders" for the large-family check
    reference_rate: float | None
    ratio: float | None  #: rate over reference_rate; None when either is undefined or the reference is 0


@dataclass(frozen=True)
class Quality:
    """The headline figures: precision at the alert budget, recall per scenario in the top 1% and
    2%, and each look-alike group's rate in the top 2% relative to the population's."""

    budget: Budget
    shares: tuple[Share, ...]
    scenarios: tuple[ScenarioAtShares, ...]
    ratio_share: str  #: the top share of the look-alike ratios ("2%")
    lookalikes: tuple[GroupRatio, ...]  #: rate over all non-insiders'
    large_family: GroupRatio | None  #: rate over the other non-insiders'; None without the group


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
    quality: Quality | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, strings, numbers and None; undefined metrics are None."""
        return _plain(self)


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
    if ev.quality is not None:
        out.append("")
        out.extend(_quality_lines(ev.quality, ev.alerts))
    return "\n".join(out) + "\n"


def _quality_lines(q: Quality, a: Alerts) -> list[str]:
    """The headline figures: the alert budget, the alerts, the tops of 1% and 2%, the look-alike ratios."""
    b = q.budget
    out = [
        f"Alert budget: the top {b.k} ({b.rule}"
        + (
            "; the pilot raised about 20 alerts in two weeks for 6,000 staff)" if "20/6000" in b.rule else ")"
        ),
        f"  precision at the budget {_num(b.precision)} ({b.true_positives} of {b.k} are insiders), "
        f"recall {_num(b.recall)}, ties left out {b.ties_left_out}",
        f"  alerts ({a.rule}): {a.alerts}, precision {_num(a.precision)} "
        f"({a.true_positives} insiders), recall {_num(a.recall)}",
    ]
    heads = [f"top {s.share} ({s.k})" for s in q.shares]
    if q.scenarios:
        out.append("")
        out.append("Recall per insider scenario in the top " + " and ".join(s.share for s in q.shares))
        rows = [[s.scenario, str(s.insiders)] + [_frac(f, s.insiders) for f in s.found] for s in q.scenarios]
        out.extend(_table(["scenario", "insiders", *heads], rows))
    if q.lookalikes or q.large_family is not None:
        share = next(s for s in q.shares if s.share == q.ratio_share)
        out.append("")
        out.append(
            f"Look-alike groups in the top {q.ratio_share} ({share.k}): innocent members' rate over "
            f"the reference's (1.00: flagged as often)"
        )
        rows = [
            [g.group, g.reference, str(g.non_insiders), _frac(g.flagged, g.non_insiders),
             _pct(g.reference_rate), _ratio_text(g.ratio)]
            for g in (*q.lookalikes, *([q.large_family] if q.large_family else []))
        ]  # fmt: skip
        out.extend(_table(["group", "reference", "innocent", "in top", "reference rate", "ratio"], rows))
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _ratio_text(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _plain(value):
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def shortest(x: float) -> str:
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
