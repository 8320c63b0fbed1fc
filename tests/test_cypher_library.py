"""The Cypher library's fragments: what several rules share word for word is kept once in
``cypher/fragments/`` and written ``{{name}}`` where a rule uses it."""

from __future__ import annotations

import re

import pytest

from graphrisk.cypher import cypher_dir, cypher_text, expand_fragments, query_names, strip_comments
from graphrisk.errors import UsageError

FRAGMENTS = sorted(p.stem for p in (cypher_dir() / "fragments").glob("*.cypher"))
LIBRARY = [n for n in query_names() if not n.startswith("fragments/")]


def _words(text: str) -> str:
    """A statement's text with comments dropped and every run of white space one blank."""
    return " ".join(strip_comments(text).split())


def test_every_fragment_is_used_and_every_placeholder_is_a_fragment():
    used = set()
    for name in LIBRARY + [f"fragments/{f}" for f in FRAGMENTS]:
        raw = (cypher_dir() / f"{name}.cypher").read_text(encoding="utf-8")
        used |= set(re.findall(r"\{\{([a-z0-9-]+)\}\}", raw))
        if not name.startswith("fragments/"):
            assert "{{" not in cypher_text(name), name
    assert used == set(FRAGMENTS)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_no_rule_spells_out_a_fragment_again(fragment):
    body = _words(expand_fragments((cypher_dir() / "fragments" / f"{fragment}.cypher").read_text()))
    for name in query_names("detect/"):
        raw = _words((cypher_dir() / f"{name}.cypher").read_text(encoding="utf-8"))
        assert body not in raw, f"{name} spells out {{{{{fragment}}}}}"


def test_a_fragment_expands_without_its_comments_indented_as_its_line():
    text = expand_fragments("MATCH (e)-[asg:ASSIGNED_TO]->(k)\n    WHERE {{assigned-on-the-day}}\nRETURN k")
    assert text == (
        "MATCH (e)-[asg:ASSIGNED_TO]->(k)\n"
        "    WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)\n"
        "RETURN k"
    )
    nested = expand_fragments("  AND NOT {{justified-for-person}}\nRETURN 1")
    assert nested.splitlines() == [
        "  AND NOT EXISTS {",
        "    MATCH (a)-[:JUSTIFIED_BY]->(c:Case)",
        "    WHERE EXISTS { (p)-[:SUBJECT_OF]->(c) }",
        "      AND EXISTS {",
        "        MATCH (e)-[asg:ASSIGNED_TO]->(c)",
        "        WHERE asg.start_date <= date(a.ts) AND (asg.end_date IS NULL OR date(a.ts) <= asg.end_date)",
        "      }",
        "  }",
        "RETURN 1",
    ]


def test_an_unknown_or_self_including_fragment_is_refused_naming_the_file(tmp_path, monkeypatch):
    with pytest.raises(UsageError, match=r"cypher/detect/x\.cypher: \{\{no-such\}\} is not a fragment"):
        expand_fragments("RETURN {{no-such}}", "cypher/detect/x.cypher")
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "loop.cypher").write_text("// fragment loop\nRETURN {{loop}}\n")
    monkeypatch.setattr("graphrisk.cypher.cypher_dir", lambda: tmp_path)
    with pytest.raises(UsageError, match=r"cypher/fragments/loop\.cypher: \{\{loop\}\} includes itself"):
        expand_fragments("{{loop}}")
