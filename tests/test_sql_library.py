"""The SQL library (sql/): headers, parameters, views, and one definition Spark can run too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphrisk.errors import UsageError
from graphrisk.rules import RULES
from graphrisk.rules.base import MATCH_COLUMNS
from graphrisk.rules.duck import REQUIRED_MATCH_COLUMNS, match_columns_sql
from graphrisk.rules.sql import query, query_names, render, view_order

VALUES = {
    "since": datetime(2026, 3, 1, tzinfo=UTC),
    "until": datetime(2026, 3, 2, tzinfo=UTC),
    **{name: p.default for rule in RULES.values() for name, p in rule.params.items()},
    # the scoring aggregations' (sql/score/): the work-context model's knobs
    **{
        "session_minutes": 60,
        "support_days": 3,
        "targets": 20,
        "hours": 4,
        "routine_minutes": 60,
        "alone_minutes": 30,
        "routine_others": 3,
    },
}
ALL = [f"{folder}/{n}" for folder in ("views", "detect", "score") for n in query_names(folder)]


def test_every_rule_has_one_query_and_every_query_a_rule():
    assert query_names("detect") == sorted(RULES)


@pytest.mark.parametrize("name", ALL)
def test_header_parameters_and_views_check(name):
    q = query(name)  # refuses a wrong name, undeclared or unused parameters, unknown views
    assert q.description
    view_order([u for u in q.uses if u not in q.inputs])  # no cycle; inputs are the caller's frames
    if name.startswith("detect/"):
        rule = RULES[name.removeprefix("detect/")]
        assert set(q.params) == set(rule.params), "the SQL takes the catalogue's parameters"


@pytest.mark.parametrize("name", ALL)
def test_every_query_transpiles_to_spark_sql(name):
    sqlglot = pytest.importorskip("sqlglot")
    text = render(query(name).body, VALUES)
    (spark,) = sqlglot.transpile(
        text, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert "SELECT" in spark


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_query_returns_match_columns_only(rule_id):
    sqlglot = pytest.importorskip("sqlglot")
    tree = sqlglot.parse_one(render(query(f"detect/{rule_id}").body, VALUES), read="duckdb")
    select = tree if isinstance(tree, sqlglot.exp.Select) else tree.find(sqlglot.exp.Select)
    columns = select.named_selects
    assert set(REQUIRED_MATCH_COLUMNS) <= set(columns) <= set(MATCH_COLUMNS), columns
    match_columns_sql(columns, rule_id)  # what the runner wraps around it


def test_a_bad_header_is_refused(tmp_path, monkeypatch):
    import graphrisk.rules.sql as library

    (tmp_path / "detect").mkdir()
    (tmp_path / "views").mkdir()
    monkeypatch.setattr(library, "sql_dir", lambda: tmp_path)
    cases = {
        "wrong-name": ("-- name: other\nSELECT 1", "must start with '-- name: wrong-name'"),
        "undeclared": ("-- name: undeclared\nSELECT $x", r"undeclared parameter\(s\) x"),
        "unused": ("-- name: unused\n-- params: x\nSELECT 1", r"unused parameter\(s\) x"),
        "unknown-view": ("-- name: unknown-view\n-- uses: nowhere\nSELECT 1", "unknown view"),
        "empty": ("-- name: empty\n-- description: nothing\n", "holds no query"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / "detect" / f"{name}.sql").write_text(text)
        with pytest.raises(UsageError, match=message):
            library.query.__wrapped__(f"detect/{name}")


def test_parameters_are_rendered_as_typed_literals_only():
    assert render("$a $b", {"a": 2, "b": 0.5}) == "2 CAST('0.5' AS DOUBLE)"
    assert render("$t", {"t": datetime(1, 1, 1, tzinfo=UTC)}) == (
        "CAST('0001-01-01 00:00:00+00:00' AS TIMESTAMP WITH TIME ZONE)"
    )
    with pytest.raises(UsageError, match="str values are not SQL parameters"):
        render("$a", {"a": "x'; DROP TABLE t; --"})
    with pytest.raises(UsageError, match="no value given"):
        render("$a", {})
