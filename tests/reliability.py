"""The catalogue of bad inputs, hostile uses and failures graphrisk is tested against.

docs/reliability.md shows it as a table; ``tests/test_reliability.py`` fails when
the table there differs from :func:`render`, and when a case is not named by any
test through :func:`covers`. Rewrite the table with ``python tests/reliability.py``.

A test names the case it proves with the decorator::

    @covers("concurrent-loads")
    def test_two_loads_at_once_keep_both(...): ...

Every ``tests/data/bad/CASE`` directory (a malformed data set with its ``_expect``
messages) is a case too, listed automatically under "Malformed data sets".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "data" / "bad"
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- BEGIN GENERATED: reliability -->", "<!-- END GENERATED: reliability -->"


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    tried: str
    result: str


# One row per class of bad input or failure; keep them grouped by area, in the order of the doc.
CASES: list[Case] = [
    # Add cases here: Case("id", "Area", "what was tried", "what graphrisk does").
]


def covers(case_id: str):
    """Mark a test as the proof of a catalogue case (an unknown id fails at import)."""
    if case_id not in {c.id for c in CASES}:
        raise KeyError(f"{case_id!r} is not in tests/reliability.py CASES")
    return pytest.mark.reliability(case_id)


def bad_dataset_cases() -> list[Case]:
    cases = []
    for case in sorted(p for p in BAD.iterdir() if p.is_dir()):
        first = (case / "_expect").read_text(encoding="utf-8").strip().splitlines()[0]
        cases.append(
            Case(
                f"bad-data:{case.name}",
                "Malformed data sets",
                f"`tests/data/bad/{case.name}`",
                f"refused, nothing written: `{first}`",
            )
        )
    return cases


def all_cases() -> list[Case]:
    return [*CASES, *bad_dataset_cases()]


def render() -> str:
    out = []
    area = None
    for case in all_cases():
        if case.area != area:
            area = case.area
            out.append(f"\n### {area}\n\n| case | tried | result |\n|---|---|---|\n")
        cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out.append(f"| `{case.id}` | {cell(case.tried)} | {cell(case.result)} |\n")
    return "".join(out).lstrip("\n")


def rewrite(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(rewrite(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
