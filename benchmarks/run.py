"""Measure start-up and unlock times, print them and write benchmarks/RESULTS.md.

Standard library only (subprocess, time.perf_counter, statistics). Run with `make bench`.
Every store is made in a temporary directory and removed afterwards; all names are invented.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from supervise import clock
from supervise.keycrypto import derive_kek
from supervise.store.catalog import shipped_policy
from supervise.store.db.opening import create_store, unlock_store
from supervise.store.db.writing import Stamp
from supervise.store.keys.key_file import KDF_PROFILES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SUPERVISE = Path(sys.executable).with_name("supervise")  # the venv's console script
PASSPHRASE = "bench-only-passphrase"


def shown(path: Path) -> str:
    """A path as a reader would type it from the project root."""
    try:
        return str(path.absolute().relative_to(ROOT))
    except ValueError:
        return str(path)


def time_call(fn, runs: int, warmup: int = 0) -> float:
    """Median wall time of `fn()` in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_command(args: list[str], runs: int, warmup: int, env: dict | None = None) -> float:
    def once() -> None:
        done = subprocess.run([str(SUPERVISE), *args], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(f"supervise {' '.join(args)} failed ({done.returncode}): {done.stderr}")

    return time_call(once, runs, warmup)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure() -> list[tuple[str, float, float | None, str]]:
    """Rows of (what, median seconds, target seconds or None, how it was measured)."""
    rows = []
    for args, target, runs in ((["--version"], 0.100, 30), (["--help"], 0.150, 30)):
        median = time_command(args, runs=runs, warmup=3)
        rows.append((f"`supervise {args[0]}` ({runs} runs)", median, target,
                     f"`{shown(SUPERVISE)} {args[0]}`"))

    for name, params in KDF_PROFILES.items():
        median = time_call(lambda p=params: derive_kek(PASSPHRASE, p, os.urandom(16)), runs=15)
        what = (f"Argon2id `{name}` (m={params.memory_kib} KiB, t={params.iterations}, "
                f"p={params.lanes}; 15 runs)")
        rows.append((what, median, None, f"`derive_kek({name})` in-process"))

    with tempfile.TemporaryDirectory(prefix="supervise-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        store, _ = create_store(path, org="Example Benchmark Trust",
                                policy=shipped_policy("minimum-standards"),
                                user="Bench Custodian", role="Designated Safeguarding Lead",
                                passphrase=PASSPHRASE,
                                kdf=KDF_PROFILES["strong"], now=clock.now())
        store.close()

        def unlock() -> None:
            unlock_store(path, passphrase=lambda: PASSPHRASE, user=None,
                         now=clock.now()).close()

        rows.append(("Full unlock, `strong` store (15 runs)", time_call(unlock, runs=15), None,
                     "`unlock_store(...)` + `close()` in-process"))

        env = {**os.environ, "SUPERVISE_STORE": str(path), "SUPERVISE_PASSPHRASE": PASSPHRASE}
        env.pop("SUPERVISE_USER", None)
        env.pop("SUPERVISE_PASSPHRASE_FILE", None)
        median = time_command(["person", "list"], runs=10, warmup=1, env=env)
        rows.append(("`supervise person list`, `strong` store (10 runs)", median, None,
                     f"`SUPERVISE_STORE=… SUPERVISE_PASSPHRASE=… {shown(SUPERVISE)} person list`"))
        rows += sessions(path, env, Path(tmp))
        rows += exports(path, env, Path(tmp))
    return rows + oversight()


def peak_command(args: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MB) of one `supervise` process."""
    start = time.perf_counter()
    child = subprocess.Popen([str(SUPERVISE), *args], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"supervise {' '.join(args)} failed: {child.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def oversight() -> list[tuple]:
    """`overdue` and `report compliance` on the large trust of SPEC §9 (built once, cached)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import large_trust
    from supervise.domain.oversight.overdue import overdue_rows
    from supervise.store.queries.overdue_facts import oversight_facts
    from supervise.store.records.policies import current_policy

    started = time.perf_counter()
    path = large_trust.cached(progress=lambda done, total: None)
    built = time.perf_counter() - started
    counts = json.loads((path.parent / "counts.json").read_text())
    size = (f"{counts.get('people', 0):,} people, {counts.get('sessions', 0):,} sessions, "
            f"{counts.get('signatures', 0):,} signatures")
    how = f"built in {built:.0f} s" if built > 5 else "cached"
    print(f"Large trust: {size} ({how})")
    on = large_trust.END
    store = unlock_store(path, passphrase=lambda: large_trust.PASSPHRASE, user=None,
                         now=clock.now())
    try:
        def judge() -> None:
            with store.session() as session:
                policy, _ = current_policy(session)
                rows = overdue_rows(oversight_facts(session, policy, on), policy, on)
                [row.as_dict() for row in rows]

        in_process = time_call(judge, runs=7, warmup=1)
    finally:
        store.close()
    env = {**os.environ, "SUPERVISE_STORE": str(path),
           "SUPERVISE_PASSPHRASE": large_trust.PASSPHRASE}
    env.pop("SUPERVISE_USER", None)
    env.pop("SUPERVISE_PASSPHRASE_FILE", None)
    command = ["overdue", "--as-of", on.isoformat(), "--json"]
    runs = [peak_command(command, env) for _ in range(5)]
    unlock_alone = time_call(lambda: unlock_store(
        path, passphrase=lambda: large_trust.PASSPHRASE, user=None,
        now=clock.now()).close(), runs=5)
    compliance = ["report", "compliance", "--from", "2025-11-01", "--to", "2026-10-31",
                  "--json"]
    where = f"the large trust ({size}), as of {on}"
    shown_cli = f"`SUPERVISE_STORE=… {shown(SUPERVISE)} {' '.join(command)}`"
    return [
        (f"`overdue` on {where}, excluding unlock (7 runs)", in_process, 1.0,
         "`overdue_rows(oversight_facts(...))` + JSON rows in an unlocked store, in-process"),
        ("`overdue` whole command, unlock and start-up included (5 runs)",
         statistics.median(r[0] for r in runs), None, shown_cli),
        ("of which unlocking that store (5 runs)", unlock_alone, None,
         "`unlock_store(...)` + `close()` in-process"),
        ("`overdue` peak memory (maximum of 5 runs)", max(r[1] for r in runs), 200.0,
         f"{shown_cli}: the process's peak RSS (`os.wait4`)", "MB"),
        ("`report compliance`, 12 months, whole command (3 runs)",
         time_command(compliance, runs=3, warmup=0, env=env), None,
         f"`SUPERVISE_STORE=… {shown(SUPERVISE)} {' '.join(compliance)}`"),
    ]


def exports(path: Path, env: dict, tmp: Path) -> list[tuple[str, float, float | None, str]]:
    """A review export of a child with 200 signed records, and checking it with `verify`."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from child_history import CHILD, build

    count = build(path, PASSPHRASE)
    folders = iter(range(100))

    def export() -> None:
        target = tmp / f"review-{next(folders)}"
        done = subprocess.run([str(SUPERVISE), "export", "review", "--child", CHILD, "--out",
                               str(target)], env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"export review failed ({done.returncode}): {done.stderr}")

    rows = [(f"`export review` of a child with {count} signed records (3 runs)",
             time_call(export, runs=3), 15.0,
             f"`{shown(SUPERVISE)} export review --child '{CHILD}' --out DIR`, unlock included")]
    last = tmp / "review-0"
    rows.append((f"`verify` of that export ({count} records; 3 runs)",
                 time_command(["verify", str(last)], runs=3, warmup=0), None,
                 f"`{shown(SUPERVISE)} verify DIR`"))
    return rows


def sessions(path: Path, env: dict, tmp: Path) -> list[tuple[str, float, float | None, str]]:
    """The autosave of one answer, and a whole scripted session with each shipped template."""
    from supervise.domain.policy.skeleton import skeleton_toml
    from supervise.store.catalog import Catalog
    from supervise.store.records.numbered import find_session
    from supervise.store.records.people import add_person, find_person
    from supervise.store.records.policies import policy_in_force
    from supervise.store.records.sessions import save_answer, start_draft

    now = clock.now()
    catalog = Catalog(None)
    with unlock_store(path, passphrase=lambda: PASSPHRASE, user=None, now=now) as store:
        with store.session() as session:
            for name, supervises in (("Alex Morgan", True), ("Sam Taylor", False),
                                     ("Priya Shah", False)):
                add_person(Stamp(session, now, "Bench Custodian"), name=name, role="DSL",
                           is_supervisor=supervises)
            policy, version = policy_in_force(Stamp(session, now, "Bench Custodian"))
            record = start_draft(
                Stamp(session, now, "Bench Custodian"),
                template=catalog.get("ms-supervision-record"), kind="one-to-one",
                supervisor=find_person(session, "Alex Morgan"),
                supervisees=[find_person(session, "Sam Taylor")], held_on=now.date(),
                start_time=None, duration=None, contract_id=None, policy=policy,
                policy_version=version)
            draft = record.id
        counter = iter(range(10_000))

        def autosave() -> None:
            with store.session() as session:
                save_answer(session, find_session(session, draft), "matters_arising",
                            f"Answer {next(counter)}: " + "x" * 500, clock.now())

        rows = [("Autosave of one answer (its own transaction, synchronous=FULL; 50 runs)",
                 time_call(autosave, runs=50, warmup=3), 0.030,
                 "`save_answer(...)` in `store.session()`, in-process")]
    for entry in catalog.files():
        template = entry.template
        if template is None or template.kind != "session":
            continue
        answers = tmp / f"{template.id}.toml"
        answers.write_text(skeleton_toml(template, now.date()), encoding="utf-8")
        median = time_command(["session", "new", "--answers", str(answers)], runs=3, warmup=0,
                              env=env)
        rows.append((f"Whole scripted session, `{template.id}` (3 runs)", median, None,
                     f"`{shown(SUPERVISE)} session new --answers` its skeleton, unlock included"))
    return rows


def table(rows: list[tuple]) -> str:
    """Rows of (what, value, target, command), seconds; or with a 5th item "MB", megabytes."""
    lines = ["| what | median | target | met? | command that measured it |",
             "|---|---:|---:|:---:|---|"]
    for what, value, target, command, *unit in rows:
        if unit == ["MB"]:
            amount, goal = f"{value:.1f} MB", f"≤ {target:.0f} MB" if target else "—"
        else:
            amount = f"{value * 1000:.1f} ms"
            goal = f"≤ {target * 1000:.0f} ms" if target is not None else "—"
        met = "—" if target is None else ("yes" if value <= target else "**no**")
        lines.append(f"| {what} | {amount} | {goal} | {met} | {command} |")
    return "\n".join(lines)


def main() -> None:
    rows = measure()
    machine = (f"{platform.platform()}; CPU: {cpu_model()} ({os.cpu_count()} logical CPUs); "
               f"Python {platform.python_version()}")
    body = table(rows)
    RESULTS.write_text(
        "# supervise benchmarks\n\n"
        f"- Date (UTC): {clock.now().strftime('%Y-%m-%d %H:%M')}\n"
        f"- Machine: {machine}\n\n"
        "Wall time, median; subprocess timings include Python start-up "
        "(3 warm-up runs for 1-2, 1 for `person list`).\n\n"
        f"{body}\n\n"
        "Reproduce with `make bench`.\n",
        encoding="utf-8",
    )
    print(machine)
    print(body)
    print(f"Written to {shown(RESULTS)}")


if __name__ == "__main__":
    main()
