"""Generated documentation matches the code; every Cypher file the code names exists."""

from __future__ import annotations

import pytest

from graphrisk import docs
from graphrisk.cypher import cypher_text, parameters_used, query_names, statements
from graphrisk.graph import NODES, RELATIONSHIPS


@pytest.mark.parametrize("path", docs.generated_files())
def test_generated_docs_are_current(path):
    current = (docs.ROOT / path).read_text(encoding="utf-8")
    assert docs.render(path, current) == current, f"{path} is stale: run python -m graphrisk.docs"


def test_every_command_is_in_the_cli_reference():
    from graphrisk.cli import main

    text = (docs.ROOT / "docs/cli.md").read_text()
    for name in main.commands:
        assert f"## `graphrisk {name}`" in text


@pytest.mark.parametrize("spec", [*NODES, *RELATIONSHIPS], ids=lambda s: s.loader)
def test_every_graph_spec_has_its_loader_taking_only_rows(spec):
    text = cypher_text(spec.loader)
    assert parameters_used(text) == {"rows"}
    label = spec.label if hasattr(spec, "label") else spec.type
    assert label in text


def test_no_loader_file_without_a_spec():
    loaders = {s.loader for s in [*NODES, *RELATIONSHIPS]}
    assert set(query_names("load/")) == loaders


def test_count_queries_cover_every_label_and_type():
    nodes = cypher_text("stats/node_counts")
    rels = cypher_text("stats/relationship_counts")
    for n in NODES:
        assert f"(n:{n.label})" in nodes
    for r in RELATIONSHIPS:
        assert f"[r:{r.type}]" in rels


def test_schema_constrains_every_label_key():
    schema = statements("schema")
    for n in NODES:
        assert any(f"(n:{n.label}) REQUIRE n.{n.key} IS UNIQUE" in s for s in schema)
