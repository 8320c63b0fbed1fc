"""DuckDB or Polars' streaming engine: own-network, the rule that dominated detection, in both.

Usage::

    .venv/bin/python benchmarks/bench_engine_choice.py STORE_DIR duckdb|polars|pandas

Runs own-network with everything it needs (the look-ups' resolved persons, the active case
assignments, what the cited case justifies, the relation edges, the shortest paths of up to two
hops) on the embedded store at STORE_DIR, reading its Parquet files, and prints the matches
found, seconds and the peak resident memory of the process. Run each engine in its own process
(``/usr/bin/time -v`` or a benchmark harness around it) so that peaks do not mix. The DuckDB side
is the SQL library itself; the Polars side is the same definition written as a lazy query and
collected with the streaming engine; pandas is the reference implementation. This script is the
measurement behind the choice in docs/architecture.md; the Polars version is not maintained
beyond it.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_duckdb(store) -> int:
    from graphrisk.rules.duck import DuckDBRun
    from graphrisk.rules.engine import _EARLIEST, _LATEST

    with DuckDBRun(store, _EARLIEST, _LATEST) as run:
        return len(run.matches("own-network", {"max_hops": 2}))


def run_pandas(store) -> int:
    from graphrisk.rules.catalogue import own_network
    from graphrisk.rules.context import Context

    return len(own_network(Context(store.tables()), max_hops=2))


def run_polars(store) -> int:
    import polars as pl

    d = store.tables_dir

    def scan(name: str) -> pl.LazyFrame:
        return pl.scan_parquet(d / f"{name}.parquet")

    acc = scan("access_log").with_columns(day=pl.col("ts").dt.replace_time_zone(None).dt.truncate("1d"))
    a = acc.select("access_id", "target_type", "target_id")
    persons = scan("persons").select("person_id", "address_id")
    target_persons = pl.concat(
        [
            a.filter(pl.col("target_type") == "person").select("access_id", person_id=pl.col("target_id")),
            a.filter(pl.col("target_type") == "vehicle")
            .join(scan("vehicles"), left_on="target_id", right_on="vehicle_id")
            .select("access_id", person_id=pl.col("owner_person_id")),
            a.filter(pl.col("target_type") == "address")
            .join(persons.drop_nulls("address_id"), left_on="target_id", right_on="address_id")
            .select("access_id", "person_id"),
        ]
    ).unique()
    asg = scan("case_assignments").select("case_id", "employee_id", "start_date", "end_date")
    active = (
        acc.select("access_id", "employee_id", "day")
        .join(asg, on="employee_id")
        .filter((pl.col("start_date") <= pl.col("day"))
                & (pl.col("end_date").is_null() | (pl.col("day") <= pl.col("end_date"))))
        .select("access_id", "case_id").unique()
    )  # fmt: skip
    justified = (
        acc.select("access_id", "case_id").drop_nulls("case_id")
        .join(active, on=["access_id", "case_id"])
        .join(scan("case_subjects").select("case_id", "person_id"), on="case_id")
        .select("access_id", "person_id").unique()
    )  # fmt: skip
    unjustified = (
        acc.select("access_id", "employee_id", "ts", "target_type", "target_id")
        .join(target_persons, on="access_id")
        .join(justified, on=["access_id", "person_id"], how="anti")
    )
    own = scan("employees").select("employee_id", own_person_id=pl.col("person_id"))
    asked = unjustified.join(own, on="employee_id").filter(pl.col("person_id") != pl.col("own_person_id"))
    r = scan("relations").select("person_id", "other_person_id", "kind")
    edges = (
        pl.concat([r.select(a="person_id", b="other_person_id", kind="kind"),
                   r.select(a="other_person_id", b="person_id", kind="kind")])
        .filter(pl.col("a") != pl.col("b")).group_by("a", "b").agg(pl.col("kind").min())
    )  # fmt: skip
    pairs = asked.select("own_person_id", "person_id").unique()
    one = pairs.join(edges, left_on=["own_person_id", "person_id"], right_on=["a", "b"]).select(
        "own_person_id", "person_id", hops=pl.lit(1), via=pl.lit(None, pl.String), k1="kind",
        k2=pl.lit(None, pl.String))  # fmt: skip
    two = (
        pairs.join(edges, left_on="own_person_id", right_on="a")
        .rename({"b": "via", "kind": "k1"})
        .join(edges, left_on=["via", "person_id"], right_on=["a", "b"])
        .select("own_person_id", "person_id", hops=pl.lit(2), via="via", k1="k1", k2="kind")
    )
    best = (
        pl.concat([one, two]).sort("hops", "via", nulls_last=False)
        .group_by("own_person_id", "person_id").first()
    )  # fmt: skip
    out = asked.join(best, on=["own_person_id", "person_id"])
    return out.collect(engine="streaming").height


def main() -> int:
    from graphrisk.store import EmbeddedStore

    store = EmbeddedStore(sys.argv[1])
    engine = sys.argv[2]
    started = time.perf_counter()
    n = {"duckdb": run_duckdb, "polars": run_polars, "pandas": run_pandas}[engine](store)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"{engine}: own-network {n} matches, {seconds:.1f} s, peak {peak:.2f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
