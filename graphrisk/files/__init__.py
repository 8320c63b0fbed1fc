"""Findings and scores files: the one place that knows their forms.

``graphrisk detect --out`` and ``graphrisk score --out`` write them; ``explain``, ``report``,
``evaluate``, ``fairness`` and the reports read them. Each is Parquet, CSV or JSON, chosen by the
file name's ending:

- CSV cells a spreadsheet would run as formulas are neutralised when written and restored when
  read (:mod:`graphrisk.outputs`); list columns are ``;``-joined text (findings' ``access_ids``)
  or JSON text (scores' ``parts`` and ``reasons``).
- A file is written to a temporary name and renamed: a reader never sees half a file.
- Every writer passes the frame through the active redactor (pseudonyms unless revealed).

:mod:`~graphrisk.files.findings` and :mod:`~graphrisk.files.scores` hold the writer and the reader
of each; :mod:`~graphrisk.files.checked` reads a scores file strictly for evaluation, with every
problem named by file, line and column (a wrong score silently changes every figure, so it is
never coerced there).
"""

from graphrisk.files.checked import Scores, read_scores_file
from graphrisk.files.findings import read_findings, write_findings
from graphrisk.files.scores import FORMATS, read_scores, write_scores

__all__ = [
    "FORMATS",
    "Scores",
    "read_findings",
    "read_scores",
    "read_scores_file",
    "write_findings",
    "write_scores",
]
