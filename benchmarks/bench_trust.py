"""The large trust's groups of `make bench`: building it from nothing (timed, into the bench's
temporary folder; `--cached` takes the one kept in benchmarks/.cache/), then `overdue` and
`report compliance` (whole commands and peak memory, beside the floor; in-process beside a raw
SQL read of the same facts), then `doctor` and `audit verify` (time and peak memory)."""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import floor_overdue
import large_trust
from bench_groups import (
    HERE,
    PYTHON,
    SUPERVISE,
    WARMUP,
    Context,
    _unlock,
    env_shown,
    floor_runner,
    floor_shown,
    store_env,
)
from bench_tools import Bench, Row, Sample, Series, interleave, process_runner, timed
from floor_unlock import connect, database_key

PASS = large_trust.PASSPHRASE
TARGET = 60.0  # doctor and audit verify, seconds each


@dataclass(frozen=True)
class Trust:
    path: Path
    people: int
    size: str  # "2,107 people, 105,733 sessions, 242,255 signatures"


def _counted(path: Path) -> Trust:
    conn = connect(path, database_key(path, PASS))
    try:
        def n(sql: str) -> int:
            return conn.execute(sql).fetchone()[0]

        people = n("SELECT count(*) FROM person")
        size = (f"{people:,} people, {n('SELECT count(*) FROM session_record'):,} sessions, "
                f"{n('SELECT count(*) FROM signature'):,} signatures, "
                f"{n('SELECT count(*) FROM audit_event'):,} audit events")
    finally:
        conn.close()
    return Trust(path, people, size)


def large_trust_store(ctx: Context, bench: Bench) -> Trust | None:
    small = ctx.sizes["small_trust"]
    size = large_trust.SMALL if small else {}
    scale = " (`--small`: the quick size)" if small else ""
    ctx.trust_source = "its build failed (see the failed rows)"
    with bench.group("building the large trust", must=10):
        if ctx.cached:
            kept = set(large_trust.CACHE.glob("*")) if large_trust.CACHE.is_dir() else set()
            path = large_trust.cached(**size)
            fresh = path.parent not in kept
            ctx.trust_source = (
                f"taken from benchmarks/.cache/ by `--cached`{scale}, "
                + ("built there in this run" if fresh else "built there by an earlier run")
                + "; the build row is not measured in this run")
            trust = _counted(path)
            ctx.name("$TRUST", path)
            counts = json.loads((path.parent / "counts.json").read_text())
            earlier = counts.get("build_seconds")
            note = f"`--cached` run; the cache says its build took {earlier} s" \
                if earlier is not None else "`--cached` run"
            bench.add(Row(f"Building the large trust from nothing{scale}: {trust.size}", None,
                          "`large_trust.cached()`", limit=300.0, must=10, skipped=note))
            return trust
        path = ctx.name("$TRUST", ctx.tmp / "trust" / "store.db")
        argv = [PYTHON, str(HERE / "large_trust.py"), "--out", str(path)]
        argv += ["--small"] if small else []
        ctx.trust_source = f"built from nothing in this run into `$TRUST`{scale}"
        bench.echo("   (building; the full size takes minutes)")
        built = process_runner(argv, limit=ctx.sizes["build_limit"])()
        trust = _counted(path) if not built.stopped else None
        bench.add(Row(f"Building the large trust from nothing{scale}"
                      + (f": {trust.size}" if trust else ""), Series.times([built]),
                      ctx.shown(*argv), limit=300.0, must=10))
        if not small and trust:
            bench.add(Row("Peak memory of that build", Series.peaks([built]), ctx.shown(*argv)))
        return trust
    return None


def _overdue_entry():
    """The app-layer function `supervise overdue` calls (it has moved between modules)."""
    import importlib

    for module in ("supervise.app.overdue", "supervise.app.reports"):
        try:
            return importlib.import_module(module).overdue, module.removeprefix("supervise.") \
                + ".overdue"
        except (ImportError, AttributeError):
            continue
    raise ImportError("no app-layer overdue(store, day, supervisor=…) found")


def overdue(ctx: Context, bench: Bench, trust: Trust) -> None:
    on = large_trust.END
    env = store_env(trust.path, PASS)
    shown_env = env_shown(PASS, "$TRUST")
    command = ["overdue", "--as-of", on.isoformat(), "--json"]
    compliance = ["report", "compliance", "--from", (on.replace(year=on.year - 1)).isoformat(),
                  "--to", (on - timedelta(days=1)).isoformat(), "--json"]
    floor_what = "python start-up + unlock + one query on that store (floor_unlock.py)"
    floor_cmd = floor_shown(ctx, "$TRUST", PASS, trust.people)
    where = f"the large trust ({trust.size}), as of {on}"
    with bench.group("overdue and report compliance, whole commands", must=3):
        runs = interleave({
            "overdue": process_runner([SUPERVISE, *command], env=env),
            "floor": floor_runner(trust.path, PASS, trust.people),
            "compliance": process_runner([SUPERVISE, *compliance], env=env),
        }, ctx.sizes["whole"], warmup=WARMUP["whole"])
        floor = Series.times(runs["floor"])
        shown_overdue = ctx.shown(SUPERVISE, *command, env=shown_env)
        shown_compliance = ctx.shown(SUPERVISE, *compliance, env=shown_env)
        bench.add(Row(f"`overdue` on {where}, whole command", Series.times(runs["overdue"]),
                      shown_overdue, limit=1.0, peer=floor, peer_what=floor_what,
                      peer_command=floor_cmd, must=3))
        bench.add(Row("Peak memory of `overdue` on the large trust", Series.peaks(runs["overdue"]),
                      f"{shown_overdue}, the process's peak RSS by `os.wait4`", limit=200.0,
                      must=11))
        bench.add(Row("Peak memory of `report compliance` (12 months) on the large trust",
                      Series.peaks(runs["compliance"]),
                      f"{shown_compliance}, the process's peak RSS by `os.wait4`", limit=200.0,
                      must=12))
        bench.add(Row("`report compliance` (12 months) on the large trust, whole command",
                      Series.times(runs["compliance"]), shown_compliance, peer=floor,
                      peer_what=floor_what, peer_command=floor_cmd))
    with bench.group("overdue in-process, beside raw SQL", must=4):
        overdue_rows, where_from = _overdue_entry()
        conn = floor_overdue.connect(trust.path, PASS)
        store = _unlock(trust.path, PASS, read_only=True)
        try:
            people = floor_overdue.facts(conn, on)["people"]
            if people != trust.people:
                raise AssertionError(f"the raw read found {people} people, not {trust.people}")
            runs = interleave({
                "overdue": timed(lambda: [r.as_dict() for r in
                                          overdue_rows(store, on, supervisor=None)]),
                "raw": timed(lambda: floor_overdue.facts(conn, on)),
            }, ctx.sizes["in_process"], warmup=WARMUP["in_process"])
        finally:
            store.close()
            conn.close()
        bench.add(Row(f"`overdue` on {where}, in-process (unlocked store; the rows as JSON "
                      "dicts)", Series.times(runs["overdue"]),
                      f"`[r.as_dict() for r in {where_from}(store, END, supervisor=None)]` "
                      "(bench_trust.overdue): what `supervise overdue` calls", max_ratio=3.0,
                      peer=Series.times(runs["raw"]),
                      peer_what="a raw SQL read of the same facts, every row fetched",
                      peer_command="`floor_overdue.facts(conn, END)` on a sqlcipher3 connection "
                                   "to the same file (32 MB page cache, as the store's); "
                                   + ctx.shown(PYTHON, str(HERE / "floor_overdue.py"), "$TRUST",
                                               "--as-of", on.isoformat(),
                                               env=f"SUPERVISE_PASSPHRASE={PASS}"),
                      must=4))


def integrity(ctx: Context, bench: Bench, trust: Trust) -> None:
    """doctor and audit verify in turn; a run stopped at the time limit, or slower than the
    target, is not repeated (another sample of a missed target would cost minutes)."""
    env = store_env(trust.path, PASS)
    limit = ctx.sizes["integrity_limit"]
    commands = {"doctor": ["doctor", "--json"], "audit verify": ["audit", "verify"]}
    with bench.group("doctor and audit verify", must=5):
        runs: dict[str, list[Sample]] = {name: [] for name in commands}
        for _ in range(ctx.sizes["integrity"]):
            for name, args in commands.items():
                if not any(s.stopped or s.seconds > TARGET for s in runs[name]):
                    runs[name].append(process_runner([SUPERVISE, *args], env=env,
                                                     limit=limit)())
        for place, (name, args) in enumerate(commands.items()):
            shown = ctx.shown(SUPERVISE, *args, env=env_shown(PASS, "$TRUST"))
            stop = f" (stopped at {limit:.0f} s)" if any(s.stopped for s in runs[name]) else ""
            bench.add(Row(f"`{name}` on the large trust, whole command{stop}",
                          Series.times(runs[name]), shown, limit=TARGET, must=5 + 2 * place))
            bench.add(Row(f"Peak memory of `{name}` on the large trust{stop}",
                          Series.peaks(runs[name]), f"{shown}, peak RSS by `os.wait4`",
                          limit=300.0, must=6 + 2 * place))
