"""The dossier and the overview: their content on the micro world, and in a real headless browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO, names_of

from graphrisk.cli import main
from graphrisk.ingest import read_dataset
from graphrisk.reports.dossier import build_dossier
from graphrisk.reports.overview import build_overview
from graphrisk.reports.scores import ScoreTable, read_scores
from graphrisk.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def micro_store(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("micro") / "store")
    store.load(read_dataset(MICRO))
    return store


@pytest.fixture(scope="module")
def micro_findings(micro_store):
    return _findings(micro_store)


def _data(html: str) -> dict:
    text = re.search(r'<script type="application/json" id="graphrisk-data">(.*?)</script>', html, re.S).group(
        1
    )
    return json.loads(text)


def test_the_dossier_without_a_score_still_shows_findings_and_network(micro_store):
    d = build_dossier(micro_store, "E1")
    assert (d.findings, d.score) == (4, None)
    assert "No score was given" in d.html and "do not depend on a score" in d.html
    data = _data(d.html)
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    assert len(nodes) == d.nodes
    # the evidence of every finding is drawn and outlined, down to the raid it came before
    for node in ("Access:X1", "Person:P4", "Access:X3", "Case:C1", "Action:C1|2026-03-06T04:00:00+0000|raid"):
        assert nodes[node].get("finding"), node
    assert ["Person:P4", "Person:P1"] in data["finding_pairs"]
    assert {p["rule"] for p in data["timeline"]} == {"own-network", "open-case-no-need-to-know",
                                                   "pre-action-lookup", "off-shift"}  # fmt: skip
    assert data["activity"] == {"days": ["2026-03-02", "2026-03-03"], "plain": [0, 0], "flagged": [1, 1]}
    assert "Employee E1 hoofdagent —PERFORMED→ Access X1 BRP view 2026-03-02 08:15" in d.html


def test_the_dossier_shows_the_score_and_its_parts(micro_store, micro_findings, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("employee_id,score,findings,network,reasons\nE1,72.5,60,12.5,own network\nE2,10,10,0,\n")
    d = build_dossier(micro_store, "E1", scores=read_scores(path), findings=micro_findings)
    parts = {"findings": 60.0, "network": 12.5}
    assert d.score == {"score": 72.5, "rank": 1, "of": 2, "alert": None, "parts": parts,
                       "reasons": ["own network"], "explanation": [], "notes": {}}  # fmt: skip
    assert "rank 1 of 2" in d.html and 'id="parts-chart"' in d.html
    assert "<li>own network</li>" in d.html  # another scorer's plain-text reason, as a sentence
    other = build_dossier(micro_store, "E3", scores=read_scores(path), findings=micro_findings)
    assert "has no row in the scores" in other.html


def test_the_dossier_explains_the_score_as_explain_does(micro_store, micro_findings, tmp_path):
    """parts and reasons of `graphrisk score --out` as a table and sentences, not JSON; all escaped."""
    hostile = "<img src=x onerror=alert(1)>"
    parts = [
        {"part": "findings", "key": "own-network", "points": 41.25, "units": 2.0, "value": 3.0,
         "peer_median": 0.0, "text": f"Look-up of own network: 3 findings on {hostile}",
         "evidence": {"finding_ids": ["F1", "F2"], "access_ids": ["X1"],
                      "relation_paths": [[["Employee", "E1"], "IS_PERSON", ["Person", hostile]]]}},
        {"part": "network", "key": "amplification", "points": 7.5, "units": 1.0, "value": 0.5,
         "peer_median": 0.1, "text": "Network position amplifies crime-related look-ups",
         "evidence": {"path_to_crime": [["Employee", "E1"], ["Person", "P9"]], "finding_ids": []}},
    ]  # fmt: skip
    reasons = ["+41.2 Look-up of own network: 3 findings", "+7.5 Network position amplifies"]
    frame = pd.DataFrame(
        {"employee_id": ["E1", "E2"], "score": [48.75, 1.0], "findings_points": [41.25, 1.0],
         "behaviour_points": [0.0, 0.0], "network_points": [7.5, 0.0], "peer_group": ["patrol", "patrol"],
         "reasons": [json.dumps(reasons), "[]"], "parts": [json.dumps(parts), "[]"]}
    )  # fmt: skip
    for name in ("scores.csv", "scores.parquet", "scores.json"):
        path = tmp_path / name
        if name.endswith(".csv"):
            frame.to_csv(path, index=False)
        elif name.endswith(".parquet"):
            frame.to_parquet(path, index=False)
        else:
            records = frame.to_dict(orient="records")
            for r in records:
                r["parts"], r["reasons"] = json.loads(r["parts"]), json.loads(r["reasons"])
            path.write_text(json.dumps({"scores": records}), encoding="utf-8")
        d = build_dossier(micro_store, "E1", scores=read_scores(path), findings=micro_findings)
        assert d.score["reasons"] == reasons and d.score["explanation"] == parts, name
        assert d.score["notes"] == {"peer_group": "patrol"}, name
        body = d.html.split('<script type="application/json"')[0]
        assert '"evidence":' not in body and "finding_ids" not in body  # no raw JSON on the page
        assert "<li>+41.2 Look-up of own network: 3 findings</li>" in body
        assert '<td class="num">+41.2</td>' in body and '<td class="num">+7.5</td>' in body
        assert "<b>findings:</b> F1, F2" in body and "<b>accesses:</b> X1" in body
        assert "<b>path to crime:</b> Employee:E1 - Person:P9" in body
        assert hostile not in d.html  # names and ids are escaped, in the table and in the data
        assert html.escape(f"(Person:{hostile})") in body


def test_pages_are_self_contained(micro_store, micro_findings):
    html = build_dossier(micro_store, "E1", findings=micro_findings).html
    assert "default-src 'none'" in html  # the page may not load anything, and says so to the browser
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "cytoscape" in html and "Chart.js" in html


def test_the_overview_ranks_by_findings_or_by_score(micro_store, micro_findings):
    o = build_overview(micro_store, top=3, findings=micro_findings)
    assert (o.employees, o.findings, o.scored) == (3, len(micro_findings), False)
    assert "no scores given: ranked by the most severe finding" in o.html
    top = re.search(r'<table id="top">.*?</table>', o.html, re.S).group(0)
    assert top.index("E1") < top.index("E2")  # E1 has a critical finding
    scores = ScoreTable(pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "score": [5.0, 90.0, 1.0]}))
    html = build_overview(micro_store, scores=scores, findings=micro_findings).html
    top = re.search(r'<table id="top">.*?</table>', html, re.S).group(0)
    assert top.index("E2") < top.index("E1")
    data = _data(html)
    assert sum(sum(s["data"]) for s in data["rules_over_time"]["series"]) == o.findings


def _findings(store):
    from graphrisk.rules import detect

    return detect(store).findings


def test_the_report_command(micro_store, micro_findings, tmp_path):
    store = ["--store", str(micro_store.path)]
    runner = CliRunner()
    result = runner.invoke(main, ["report", "E1", "--out", str(tmp_path / "d.html"), *store])
    assert result.exit_code == 0, result.output
    assert (
        f"Wrote the dossier of {names_of(['E1'])['E1']}" in result.stderr and (tmp_path / "d.html").is_file()
    )
    findings = tmp_path / "f.json"
    runner.invoke(main, ["detect", "--out", str(findings), "-q", *store])
    result = runner.invoke(main, ["report", "--top", "2", "--out", str(tmp_path / "o.html"), "--findings",
                                  str(findings), "--json", *store])  # fmt: skip
    expected = {"ok": True, "out": str(tmp_path / "o.html"), "employees": 3, "scored": False}
    assert json.loads(result.stdout) == {**expected, "findings": len(micro_findings)}
    for args, message in [
        (["report", "--out", "x.html"], "give an EMPLOYEE_ID for a dossier or --top N"),
        (["report", "E1", "--top", "3", "--out", "x.html"], "(one of them)"),
        (["report", "E1", "--out", "x.pdf"], "end the name in .html"),
        (["report", "P1", "--out", "x.html"], "'P1' is a Person, expected a Employee"),
        (["report", "E1", "--out", "x.html", "--scores", "missing.csv"], "does not exist"),
    ]:
        result = runner.invoke(main, [*args, *store])
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)


# --- as a person sees it: a real browser -----------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(
            "CI=true but no chromium: install it (apt-get install chromium); the browser test must run"
        )
    pytest.skip("no chromium on this machine (apt-get install chromium)")


def _open_in_browser(html_path: Path, screenshot: Path, height: int) -> str:
    """Open the page headless, let its scripts run, save a screenshot; return the DOM afterwards."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=10000",
             f"--window-size=1280,{height}", f"--screenshot={screenshot}", "--dump-dom",
             html_path.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    return done.stdout


def _status(dom: str) -> dict:
    tag = re.search(r'<div id="graphrisk-status"([^>]*)>', dom).group(1)
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag))


def _errors(dom: str) -> str:
    return re.search(r'<pre id="graphrisk-errors"[^>]*>(.*?)</pre>', dom, re.S).group(1)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """The sample data set on the embedded store (a generated tiny one when the sample is absent)."""
    dataset = SAMPLE
    if not SAMPLE.is_dir():
        from graphrisk.generate import generate

        dataset = tmp_path_factory.mktemp("tiny")
        generate(dataset, preset="tiny", seed=1)
    store = EmbeddedStore(tmp_path_factory.mktemp("sample") / "store")
    store.load(read_dataset(dataset))
    return store, _findings(store)


def test_the_dossier_in_a_browser(sample_store, tmp_path):
    store, findings = sample_store
    employee = str(findings["employee_id"].value_counts().index[0])
    d = build_dossier(store, employee, findings=findings)
    page = tmp_path / "dossier.html"
    page.write_text(d.html, encoding="utf-8")
    dom = _open_in_browser(page, ARTIFACTS / "dossier.png", 2600)
    assert _errors(dom) == ""
    status = _status(dom)
    assert status["ready"] == "1", status
    assert int(status["nodes"]) == d.nodes == len(_data(d.html)["elements"]["nodes"])
    assert int(status["findings"]) > 0  # findings are outlined in the drawn graph
    assert 'id="timeline-chart"' in dom and "<canvas" in dom


def test_the_overview_in_a_browser(sample_store, tmp_path):
    store, findings = sample_store
    o = build_overview(store, top=15, findings=findings)
    page = tmp_path / "overview.html"
    page.write_text(o.html, encoding="utf-8")
    dom = _open_in_browser(page, ARTIFACTS / "overview.png", 2000)
    assert _errors(dom) == ""
    assert _status(dom) == {"ready": "1", "charts": "2"}
    assert dom.count('<tr><td class="num">') == 15
