"""The benchmark's own machinery (`make bench` measures; these check that what it writes is
right): medians of the runs asked for, a failing command stops the run, and each verdict in
the results table follows from its figure and target."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    path = ROOT / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the measuring runs only under __main__
    return module


def test_time_call_runs_the_warmups_and_runs_asked_for_and_takes_the_median(bench, monkeypatch):
    calls = []
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 30.0])  # run times 1, 3 and 10 seconds
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(ticks))
    assert bench.time_call(lambda: calls.append(1), runs=3, warmup=2) == 3.0
    assert len(calls) == 5


def test_a_command_that_fails_stops_the_benchmark_naming_it(bench, monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "SUPERVISE", Path("/bin/false"))
    with pytest.raises(SystemExit) as stopped:
        bench.time_command(["person", "list"], runs=1, warmup=0)
    assert "supervise person list failed (1)" in str(stopped.value)


def test_the_table_says_met_only_where_the_figure_is_within_its_target(bench):
    text = bench.table([
        ("fast", 0.080, 0.100, "`a`"),
        ("slow", 0.151, 0.150, "`b`"),
        ("untargeted", 0.5, None, "`c`"),
        ("memory", 120.0, 200, "`d`", "MB"),
        ("too much", 250.0, 200, "`e`", "MB"),
    ])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()[2:]}
    assert "| 80.0 ms | ≤ 100 ms | yes |" in rows["fast"]
    assert "| 151.0 ms | ≤ 150 ms | **no** |" in rows["slow"]
    assert "| 500.0 ms | — | — |" in rows["untargeted"]
    assert "| 120.0 MB | ≤ 200 MB | yes |" in rows["memory"]
    assert "| 250.0 MB | ≤ 200 MB | **no** |" in rows["too much"]
