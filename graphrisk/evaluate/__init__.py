"""Evaluating risk scores against a data set's ground truth.

``graphrisk evaluate DATASET --scores SCORES`` compares the scores a scorer gave
to every employee with the planted truth of a (synthetic) data set: how many
planted insiders rank near the top, which scenarios are missed, and whether
legitimate look-alike groups (night shift, national unit, large families, ...)
are flagged more often than other innocent employees. This package is the only
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

Modules
-------
:mod:`~graphrisk.evaluate.core` the evaluation; :mod:`~graphrisk.evaluate.metrics` ROC AUC,
average precision and the top-k sizes; :mod:`~graphrisk.evaluate.truth` reading the ground truth;
:mod:`~graphrisk.files.checked` reading the scores file (strictly); :mod:`~graphrisk.evaluate.report`
the result's dataclasses and the text report.

Examples
--------
The hand-made micro data set of the tests: ten employees, two insiders.

>>> from pathlib import Path
>>> data = Path(__file__).parents[2] / "tests" / "data" / "evaluate"
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

from graphrisk.evaluate.core import DEFAULT_THRESHOLD, TIE_BREAK, evaluate
from graphrisk.evaluate.metrics import average_precision, resolve_ks, roc_auc
from graphrisk.evaluate.report import (
    Alerts,
    CountAtK,
    Evaluation,
    LookalikeGroup,
    ScenarioRecall,
    TopK,
    format_evaluation,
)

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
