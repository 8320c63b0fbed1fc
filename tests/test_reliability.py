"""docs/reliability.md shows the catalogue of tests/reliability.py, and every case there has a test."""

from __future__ import annotations

import re
from pathlib import Path

from reliability import CASES, DOC, rewrite

TESTS = Path(__file__).parent


def test_reliability_doc_is_current():
    current = DOC.read_text(encoding="utf-8")
    assert rewrite(current) == current, "docs/reliability.md is stale: run python tests/reliability.py"


def test_every_case_is_proved_by_a_test():
    named = set()
    for path in TESTS.glob("test_*.py"):
        named |= set(re.findall(r"""covers\(\s*["']([^"']+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted({c.id for c in CASES} - named)
    assert not missing, f"cases without a test that names them with @covers: {missing}"
