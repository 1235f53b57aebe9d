"""`make bench`: each figure of issue 21 measured beside its floor or peer in the same run,
interleaved (A, floor, A, floor, …), with medians, ranges and the machine's load around each
group; written to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py            # the full bench (builds the large trust anew)
    .venv/bin/python benchmarks/run.py --cached   # the large trust from benchmarks/.cache/
    .venv/bin/python benchmarks/run.py --quick    # small sizes, few runs: prints, writes nothing
                                                  # unless --out is given (and marks it so)
    .venv/bin/python benchmarks/run.py --only person-list,overdue --cached   # some groups only

Every store is made in a temporary folder and removed afterwards; all names are invented.
The helpers: floor_unlock.py (python + unlock + one query, nothing from supervise),
floor_overdue.py (overdue's facts by raw SQL), passphrase_prompt.py (a pseudo-terminal),
bench_tools.py (interleaving, series, the table), bench_groups.py and bench_trust.py (the
groups of figures).
"""

import argparse
import compileall
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_groups import (  # noqa: E402  (the benchmarks folder is not a package)
    FULL,
    QUICK,
    WARMED,
    WARMUP,
    Context,
    argon_and_unlock,
    bench_store,
    demo_store,
    exports,
    person_list,
    scripted_sessions,
    startup,
)
from bench_tools import Bench, Row, amount, machine, table  # noqa: E402
from bench_trust import integrity, large_trust_store, overdue  # noqa: E402
from supervise import clock  # noqa: E402

ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"


GROUPS = ("startup", "prompt", "person-list", "kdf", "sessions", "export", "build", "overdue",
          "integrity")


# The "Must show" rows, by their place in the table: one that a failure upstream kept
# from being measured is still listed, as failed, never silently missing.
MUST = {1: "`person list` on the demo store, whole command", 2: "Enter to the passphrase prompt",
        3: "`overdue` on the large trust, whole command",
        4: "`overdue` in-process, beside raw SQL", 5: "`doctor` on the large trust",
        6: "Peak memory of `doctor`", 7: "`audit verify` on the large trust",
        8: "Peak memory of `audit verify`", 9: "`export review` of a child with 200 records",
        10: "Building the large trust from nothing", 11: "Peak memory of `overdue`",
        12: "Peak memory of `report compliance`"}


def missing_must_rows(bench: Bench) -> None:
    there = {row.must for row in bench.rows}
    for place, what in MUST.items():
        if place not in there:
            bench.rows.append(Row(what, None, "", must=place,
                                  failed="not measured: what it needs failed (see above)"))


def run(ctx: Context, bench: Bench) -> None:
    want = ctx.wants
    demo = demo_store(ctx, bench) if want("prompt") or want("person-list") else None
    if want("startup") or want("prompt"):
        startup(ctx, bench, demo if want("prompt") else None, versions=want("startup"))
    if want("person-list"):
        person_list(ctx, bench, demo)
    if want("kdf") or want("sessions") or want("export"):
        store = bench_store(ctx, bench)
        if store is not None:
            if want("kdf"):
                argon_and_unlock(ctx, bench, store)
            if want("sessions"):
                scripted_sessions(ctx, bench, store)
            if want("export"):
                exports(ctx, bench, store)
    if want("build") or want("overdue") or want("integrity"):
        trust = large_trust_store(ctx, bench)
        if trust is not None:
            if want("overdue"):
                overdue(ctx, bench, trust)
            if want("integrity"):
                integrity(ctx, bench, trust)
    if not ctx.only:
        missing_must_rows(bench)


def warmups() -> str:
    return ", ".join(f"{WARMUP[k]} for {what}" for k, what in WARMED.items()) + \
        ", none for the rest"


def report(ctx: Context, bench: Bench, took: float, started_at: str, before: str) -> str:
    mode = ("**QUICK RUN (`--quick`): small sizes and few runs, for development; not the "
            "figures of issue 21.**\n\n" if ctx.quick else "")
    if ctx.only:
        mode += f"**Only some groups (`--only {','.join(sorted(ctx.only))}`).**\n\n"
    return (
        "# supervise benchmarks\n\n"
        f"{mode}"
        f"- Date (UTC): {started_at}; the whole bench took {amount(took, 's')} "
        f"(`{ctx.command}`).\n"
        f"- Machine: {machine()}.\n"
        f"- Load (/proc/loadavg: 1, 5, 15 min, running/total tasks) at the start: {before}; "
        "around each group below.\n"
        f"- Large trust: {ctx.trust_source}.\n\n"
        "Each figure was measured beside its floor or peer in the same run, interleaved (A, floor, "
        f"A, floor, …; warm-up rounds, not kept: {warmups()}); wall time by "
        "`time.perf_counter`, peak memory by `os.wait4` (the process's maximum RSS). A target "
        "on time is held against the median, on memory against the highest run, on a ratio "
        "against median ÷ median. A command that fails or is stopped at its time limit meets "
        "no target. Our modules' bytecode is compiled before the first run and kept, as an "
        "installed copy's is (PYTHONDONTWRITEBYTECODE is cleared for the commands).\n\n"
        f"In the commands: {ctx.legend()}.\n\n"
        "## Must show (issue 21)\n\n"
        f"{table(bench.must_rows())}\n\n"
        "## Other figures\n\n"
        f"{table(bench.other_rows())}\n\n"
        "## Load around each group\n\n"
        f"{bench.loads()}\n\n"
        "Reproduce with `make bench` (or `.venv/bin/python benchmarks/run.py --cached` to reuse "
        "a large trust built before).\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few runs, for development")
    parser.add_argument("--cached", action="store_true",
                        help="take the large trust from benchmarks/.cache/ (built there once)")
    parser.add_argument("--out", type=Path, help="where to write the results (default: "
                        "benchmarks/RESULTS.md; with --quick, nowhere unless given)")
    parser.add_argument("--only", metavar="GROUP,…", type=lambda text: text.split(","),
                        default=[], help=f"only these groups (of {', '.join(GROUPS)}); "
                        "writes nothing unless --out is given")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the stores in DIR and leave them there (for a look after)")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(GROUPS)
    if unknown:
        parser.error(f"no group {', '.join(sorted(unknown))}: choose from {', '.join(GROUPS)}")
    from bench_tools import loadavg

    # What a user's installed copy does: bytecode kept and reused. A shell (or CI) that sets
    # PYTHONDONTWRITEBYTECODE would have every command compile our modules from source again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    # Started in the background by a shell without job control, Ctrl-C is ignored, and the
    # commands would inherit that (the prompt's run ends with a Ctrl-C).
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    compileall.compile_dir(ROOT / "supervise", quiet=1)
    started, before = time.perf_counter(), loadavg()
    started_at = clock.now().strftime("%Y-%m-%d %H:%M")
    flags = [a for a, on in (("--quick", args.quick), ("--cached", args.cached)) if on]
    flags += [f"--only {','.join(args.only)}"] if args.only else []
    command = ".venv/bin/python benchmarks/run.py " + " ".join(flags) if flags else "make bench"
    bench = Bench()
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="supervise-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        ctx = Context(tmp=folder.resolve(), sizes=QUICK if args.quick else FULL,
                      quick=args.quick, cached=args.cached, command=command,
                      kept=args.keep is not None, only=frozenset(args.only))
        run(ctx, bench)
    text = report(ctx, bench, time.perf_counter() - started, started_at, before)
    out = args.out or (None if args.quick or args.only else RESULTS)
    print()
    print(text)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"Written to {out}")


if __name__ == "__main__":
    main()
