"""The bench's machinery (benchmarks/bench_tools.py) and its floors: what `make bench` reports must
be computed right, and a floor must really open the store it stands beside. No timings here."""

import sys
from datetime import date
from pathlib import Path

import pytest

from supervise.store.catalog import shipped_policy
from supervise.store.db.creating import create_store
from supervise.store.db.writing import Stamp
from supervise.store.keys.key_file import KDF_PROFILES
from supervise.store.records.people import add_person

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_tools  # noqa: E402
import floor_overdue  # noqa: E402
import floor_unlock  # noqa: E402
from bench_tools import Row, Sample, Series  # noqa: E402

PASSPHRASE = "floor-test-passphrase"


def test_interleave_alternates_runners_and_drops_the_warm_up():
    calls = []

    def runner(name, value):
        def run():
            calls.append(name)
            return Sample(value)
        return run

    runs = bench_tools.interleave({"a": runner("a", 1.0), "floor": runner("floor", 2.0)},
                                  runs=3, warmup=1)
    assert calls == ["a", "floor"] * 4
    assert [s.seconds for s in runs["a"]] == [1.0, 1.0, 1.0]
    assert len(runs["floor"]) == 3


def test_series_median_range_and_what_a_target_is_held_against():
    times = Series.times([Sample(0.3), Sample(0.1), Sample(0.2), Sample(0.9)])
    assert (times.median, times.low, times.high, times.runs) == (0.25, 0.1, 0.9, 4)
    assert times.judged() == 0.25
    peaks = Series.peaks([Sample(1.0, 120.0), Sample(1.0, 180.0), Sample(1.0, None)])
    assert peaks.values == (120.0, 180.0) and peaks.judged() == 180.0


def test_a_row_meets_its_limit_and_its_ratio_only_together():
    figure = Series.times([Sample(0.2), Sample(0.24)])
    floor = Series.times([Sample(0.1), Sample(0.12)])
    row = Row("person list", figure, "`cmd`", limit=0.25, max_ratio=1.8, peer=floor)
    assert row.ratio == pytest.approx(0.22 / 0.11)
    assert row.met() is False  # 2.0 × the floor, though under 250 ms
    assert Row("x", figure, "c", limit=0.25, max_ratio=2.5, peer=floor).met() is True
    assert Row("x", figure, "c", limit=0.2).met() is False
    assert Row("x", figure, "c").met() is None
    assert Row("x", figure, "c", max_ratio=3.0).met() is False  # no floor measured: unmet


def test_stopped_and_failed_rows_never_meet_a_target():
    stopped = Series.times([Sample(60.0, stopped=True)])
    assert Row("doctor", stopped, "c", limit=600.0).met() is False
    assert Row("build", None, "c", limit=300.0, failed="boom").met() is False
    cells = bench_tools.row_cells(Row("build", None, "c", limit=300.0, failed="boom"))
    assert cells[1] == "failed: boom" and cells[7] == "**no**"
    skipped = Row("build", None, "c", limit=300.0, skipped="`--cached` run")
    assert skipped.met() is None
    assert bench_tools.row_cells(skipped)[1] == "not measured: `--cached` run"


def test_table_cells_show_median_range_peer_ratio_target_and_command():
    row = Row("`person list`", Series.times([Sample(0.2), Sample(0.3), Sample(0.25)]),
              "`supervise person list`", limit=0.25, max_ratio=1.8,
              peer=Series.times([Sample(0.15), Sample(0.16)]), peer_what="floor",
              peer_command="`floor_unlock.py`")
    cells = bench_tools.row_cells(row)
    assert cells[:4] == ["`person list`", "250 ms", "200–300 ms", "3"]
    assert cells[4] == "floor: 155 ms (150–160 ms, 2 runs)"
    assert cells[5] == "1.61 ×"
    assert cells[6] == "≤ 250 ms, and ≤ 1.8 × the floor beside it"
    assert cells[7] == "yes"
    assert cells[8] == "`supervise person list`; beside it: `floor_unlock.py`"
    memory = Row("peak", Series.peaks([Sample(1, 150.0), Sample(1, 210.0)]), "c", limit=200.0)
    assert bench_tools.row_cells(memory)[1:4] == ["180 MB", "150–210 MB", "2"]
    assert memory.met() is False and memory.target() == "≤ 200 MB (every run)"
    table = bench_tools.table([row, memory]).splitlines()
    assert len(table) == 4 and all(line.count("|") == 10 for line in table)


def test_amounts_change_unit_where_a_reader_expects():
    assert bench_tools.amount(0.0042, "s") == "4.2 ms"
    assert bench_tools.amount(0.250, "s") == "250 ms"
    assert bench_tools.amount(1.5, "s") == "1.50 s"
    assert bench_tools.amount(584.0, "s") == "584 s"
    assert bench_tools.spread(Series((0.8, 1.55))) == "800 ms–1.55 s"


def _store(tmp_path: Path):
    store, db_key = create_store(tmp_path / "floor.db", org="Example Floor Trust",
                                 policy=shipped_policy("minimum-standards"), user="Jo Custodian",
                                 role="DSL", passphrase=PASSPHRASE,
                                 kdf=KDF_PROFILES["owasp-minimum"], now=store_now())
    with store.session() as session:
        for name in ("Ann Example", "Ben Example"):
            add_person(Stamp(session, store_now(), "Jo Custodian"), name=name, role="Teacher")
    store.close()
    return tmp_path / "floor.db", db_key


def store_now():
    from supervise import clock

    return clock.now()


def test_the_unlock_floor_opens_a_real_store_and_reads_its_people(tmp_path):
    path, db_key = _store(tmp_path)
    assert floor_unlock.database_key(path, PASSPHRASE) == db_key
    assert floor_unlock.database_key(path, PASSPHRASE, user="jo  CUSTODIAN") == db_key
    names = sorted(row[1] for row in floor_unlock.people(path, PASSPHRASE))
    assert names == ["Ann Example", "Ben Example", "Jo Custodian"]
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        floor_unlock.database_key(path, "not the passphrase")
    with pytest.raises(SystemExit, match="no key slot"):
        floor_unlock.database_key(path, PASSPHRASE, user="Nobody Here")


def test_the_unlock_floor_script_checks_the_count_it_is_given(tmp_path, monkeypatch, capsys):
    path, _ = _store(tmp_path)
    monkeypatch.setenv("SUPERVISE_PASSPHRASE", PASSPHRASE)
    floor_unlock.main([str(path), "--expect", "3"])
    assert capsys.readouterr().out.strip() == "3"
    with pytest.raises(SystemExit, match="returned 3 people, expected 4"):
        floor_unlock.main([str(path), "--expect", "4"])
    monkeypatch.setenv("SUPERVISE_PASSPHRASE", "wrong")
    with pytest.raises(SystemExit, match="did not open"):
        floor_unlock.main([str(path)])


def test_the_overdue_floor_reads_every_fact_query_from_the_same_file(tmp_path):
    path, _ = _store(tmp_path)
    conn = floor_overdue.connect(path, PASSPHRASE)
    try:
        found = floor_overdue.facts(conn, date(2026, 11, 1))
    finally:
        conn.close()
    assert set(found) == set(floor_overdue.QUERIES)
    assert found["people"] == 3 and found["contracts"] == 0


def test_commands_are_shown_from_the_project_root_with_temporary_paths_named(tmp_path):
    import bench_groups

    ctx = bench_groups.Context(tmp=tmp_path, sizes=bench_groups.QUICK, quick=True, cached=False,
                               command="make bench")
    demo = ctx.name("$DEMO", tmp_path / "demo" / "store.db")
    shown = ctx.shown(str(BENCH / "floor_unlock.py"), str(demo), "--child", "Bench Child",
                      str(tmp_path / "answers.toml"), env="SUPERVISE_PASSPHRASE=x")
    assert shown == ("`SUPERVISE_PASSPHRASE=x benchmarks/floor_unlock.py $DEMO --child "
                     "'Bench Child' $TMP/answers.toml`")
    assert ctx.legend() == ("`$TMP` = a fresh temporary folder, removed at the end; "
                            "`$DEMO` = `$TMP/demo/store.db`")
