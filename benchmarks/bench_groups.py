"""The groups of figures `make bench` measures (run.py runs them in order): each builds what it
needs in the bench's temporary folder, measures its figures beside their floor or peer,
interleaved, and adds rows to the bench. A group that fails becomes a failed row."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench_tools import Bench, Row, Runner, Sample, Series, interleave, process_runner, timed
from supervise import clock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
SUPERVISE = str(Path(sys.executable).with_name("supervise"))  # the venv's console script
PASSPHRASE = "bench-only-passphrase"
DEMO_PASSPHRASE = "demo-only-passphrase"  # supervise/demo/trust.py

# Runs of each kind (interleaved rounds), and time limits in seconds.
FULL = dict(startup=20, listing=20, prompt=10, kdf=15, autosave=50, scripted=3, export=3,
            whole=5, in_process=9, integrity=2, integrity_limit=180.0, build_limit=3600.0,
            small_trust=False, child_records=None)
QUICK = dict(startup=3, listing=3, prompt=2, kdf=3, autosave=10, scripted=1, export=1,
             whole=2, in_process=3, integrity=1, integrity_limit=120.0, build_limit=600.0,
             small_trust=True, child_records=(18, 2))
# Warm-up rounds (run interleaved like the rest, not kept); the long figures have none: scripted
# sessions, export review, the build, doctor and audit verify.
WARMUP = dict(startup=2, listing=2, prompt=1, kdf=1, autosave=3, whole=1, in_process=1)
WARMED = {"startup": "`--version`/`--help`", "listing": "`person list`",
          "prompt": "the prompt", "kdf": "Argon2id and unlock", "autosave": "autosave",
          "whole": "the large trust's whole commands", "in_process": "`overdue` in-process"}


@dataclass
class Context:
    tmp: Path
    sizes: dict
    quick: bool
    cached: bool
    command: str
    kept: bool = False  # --keep: the stores stay in `tmp`
    only: frozenset[str] = frozenset()  # --only: these groups (and what they need), none else
    trust_source: str = "not part of this run"
    names: dict[str, Path] = field(default_factory=dict)  # placeholder -> path, for commands

    def __post_init__(self) -> None:
        self.name("$TMP", self.tmp)

    def name(self, placeholder: str, path: Path) -> Path:
        self.names[placeholder] = path
        return path

    def shown(self, *argv: str, env: str = "") -> str:
        """A command as a reader would type it from the project root, temp paths named."""
        words = []
        for word in argv:
            for placeholder, path in sorted(self.names.items(), key=lambda n: -len(str(n[1]))):
                word = word.replace(str(path), placeholder)
            word = word.replace(str(ROOT) + "/", "")
            words.append(f"'{word}'" if " " in word else word)
        return "`" + (env + " " if env else "") + " ".join(words) + "`"

    def wants(self, group: str) -> bool:
        return not self.only or group in self.only

    def legend(self) -> str:
        def meaning(placeholder: str, path: Path) -> str:
            if placeholder == "$TMP":
                return f"`{path}`" if self.kept else "a fresh temporary folder, removed at the end"
            return f"`{str(path).replace(str(self.tmp), '$TMP')}`"

        return "; ".join(f"`{p}` = {meaning(p, path)}" for p, path in self.names.items())


def store_env(path: Path, passphrase: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(path), SUPERVISE_PASSPHRASE=passphrase)
    return env


def env_shown(passphrase: str, placeholder: str) -> str:
    return f"SUPERVISE_STORE={placeholder} SUPERVISE_PASSPHRASE={passphrase}"


def floor_runner(store: Path, passphrase: str, expect: int) -> Runner:
    return process_runner([PYTHON, str(HERE / "floor_unlock.py"), str(store), "--expect",
                           str(expect)], env=store_env(store, passphrase))


def floor_shown(ctx: Context, placeholder: str, passphrase: str, expect: int) -> str:
    return ctx.shown(PYTHON, str(HERE / "floor_unlock.py"), placeholder, "--expect",
                     str(expect), env=f"SUPERVISE_PASSPHRASE={passphrase}")


def demo_store(ctx: Context, bench: Bench) -> Path | None:
    path = ctx.name("$DEMO", ctx.tmp / "demo" / "store.db")
    with bench.group("the demo store"):
        built = process_runner([SUPERVISE, "demo", "--store", str(path)])()
        bench.add(Row("Building the demo store (`supervise demo`, `strong` KDF; 1 run)",
                      Series.times([built]), ctx.shown(SUPERVISE, "demo", "--store", "$DEMO")))
        return path
    return None


def startup(ctx: Context, bench: Bench, demo: Path | None, *, versions: bool = True) -> None:
    from passphrase_prompt import python_start, to_prompt

    if versions:
        _versions(ctx, bench)
    if demo is None:
        return
    with bench.group("the passphrase prompt", must=2):
        runs = interleave({"prompt": lambda: Sample(to_prompt(SUPERVISE, demo)),
                           "python": lambda: Sample(python_start(PYTHON))},
                          ctx.sizes["prompt"], warmup=WARMUP["prompt"])
        bench.add(Row(
            "Enter to the passphrase prompt (`person list` on the demo store, in an 80×24 "
            "pseudo-terminal, until `Store passphrase` shows)", Series.times(runs["prompt"]),
            ctx.shown(PYTHON, str(HERE / "passphrase_prompt.py"), "$DEMO"),
            limit=0.200, peer=Series.times(runs["python"]),
            peer_what="`python -c pass` in the same pseudo-terminal, to its exit",
            peer_command=ctx.shown(PYTHON, "-c", "pass") + " (`passphrase_prompt.python_start`)",
            must=2))


def _versions(ctx: Context, bench: Bench) -> None:
    with bench.group("start-up"):
        runs = interleave({
            "version": process_runner([SUPERVISE, "--version"]),
            "help": process_runner([SUPERVISE, "--help"]),
            "python": process_runner([PYTHON, "-c", "pass"]),
        }, ctx.sizes["startup"], warmup=WARMUP["startup"])
        python = Series.times(runs["python"])
        for name, limit in (("version", 0.100), ("help", 0.150)):
            bench.add(Row(f"`supervise --{name}`", Series.times(runs[name]),
                          ctx.shown(SUPERVISE, f"--{name}"), limit=limit, peer=python,
                          peer_what="`python -c pass`",
                          peer_command=ctx.shown(PYTHON, "-c", "pass")))


def person_list(ctx: Context, bench: Bench, demo: Path | None) -> None:
    if demo is None:
        return
    with bench.group("`person list` on the demo store", must=1):
        env = store_env(demo, DEMO_PASSPHRASE)
        listed = subprocess.run([SUPERVISE, "person", "list", "--all", "--json"], env=env,
                                capture_output=True, text=True, check=True)
        people = len(json.loads(listed.stdout))
        runs = interleave({
            "list": process_runner([SUPERVISE, "person", "list"], env=env),
            "floor": floor_runner(demo, DEMO_PASSPHRASE, people),
        }, ctx.sizes["listing"], warmup=WARMUP["listing"])
        bench.add(Row(
            f"`person list` on the demo store ({people} people, `strong` KDF), whole command",
            Series.times(runs["list"]),
            ctx.shown(SUPERVISE, "person", "list", env=env_shown(DEMO_PASSPHRASE, "$DEMO")),
            limit=0.250, max_ratio=1.8, peer=Series.times(runs["floor"]),
            peer_what="python start-up + unlock + one query (floor_unlock.py, checked to "
                      "return every person)",
            peer_command=floor_shown(ctx, "$DEMO", DEMO_PASSPHRASE, people), must=1))


def bench_store(ctx: Context, bench: Bench) -> Path | None:
    from supervise.store.catalog import shipped_policy
    from supervise.store.db.creating import create_store
    from supervise.store.keys.key_file import KDF_PROFILES

    path = ctx.name("$BENCH", ctx.tmp / "bench" / "store.db")
    with bench.group("the bench store"):
        path.parent.mkdir(mode=0o700)
        store, _ = create_store(path, org="Example Benchmark Trust",
                                policy=shipped_policy("minimum-standards"),
                                user="Bench Custodian", role="Designated Safeguarding Lead",
                                passphrase=PASSPHRASE, kdf=KDF_PROFILES["strong"],
                                now=clock.now())
        store.close()
        return path
    return None


def _unlock(path: Path, passphrase: str = PASSPHRASE, read_only: bool = False):
    from supervise.store.db.opening import unlock_store

    return unlock_store(path, passphrase=lambda: passphrase, user=None, now=clock.now(),
                        read_only=read_only)


def argon_and_unlock(ctx: Context, bench: Bench, path: Path) -> None:
    from supervise.keycrypto import derive_kek
    from supervise.store.keys.key_file import KDF_PROFILES

    with bench.group("Argon2id and unlock"):
        runners = {name: timed(lambda p=params: derive_kek(PASSPHRASE, p, os.urandom(16)))
                   for name, params in KDF_PROFILES.items()}
        runners["unlock"] = timed(lambda: _unlock(path).close())
        runs = interleave(runners, ctx.sizes["kdf"], warmup=WARMUP["kdf"])
        for name, params in KDF_PROFILES.items():
            bench.add(Row(f"Argon2id `{name}` (m={params.memory_kib} KiB, t={params.iterations}"
                          f", p={params.lanes})", Series.times(runs[name]),
                          f"`derive_kek(…, KDF_PROFILES['{name}'], …)` in-process"))
        bench.add(Row("Full unlock of a `strong` store, in-process", Series.times(runs["unlock"]),
                      "`unlock_store($BENCH, …)` + `close()` in-process",
                      peer=Series.times(runs["strong"]), peer_what="Argon2id `strong` alone",
                      peer_command="as above"))


def scripted_sessions(ctx: Context, bench: Bench, path: Path) -> None:
    from supervise.domain.policy.skeleton import skeleton_toml
    from supervise.store.catalog import Catalog
    from supervise.store.db.writing import Stamp
    from supervise.store.records.numbered import find_session
    from supervise.store.records.people import add_person, find_person, list_people
    from supervise.store.records.policies import policy_in_force
    from supervise.store.records.sessions import save_answer, start_draft

    with bench.group("autosave and scripted sessions"):
        now, catalog = clock.now(), Catalog(None)
        with _unlock(path) as store:
            with store.session() as session:
                for name, supervises in (("Alex Morgan", True), ("Sam Taylor", False),
                                         ("Priya Shah", False)):
                    add_person(Stamp(session, now, "Bench Custodian"), name=name, role="DSL",
                               is_supervisor=supervises)
                policy, version = policy_in_force(Stamp(session, now, "Bench Custodian"))
                draft = start_draft(
                    Stamp(session, now, "Bench Custodian"),
                    template=catalog.get("ms-supervision-record"), kind="one-to-one",
                    supervisor=find_person(session, "Alex Morgan"),
                    supervisees=[find_person(session, "Sam Taylor")], held_on=now.date(),
                    start_time=None, duration=None, contract_id=None, policy=policy,
                    policy_version=version).id
                people = len(list_people(session))
            counter = iter(range(100_000))

            def autosave() -> None:
                with store.session() as session:
                    save_answer(session, find_session(session, draft), "matters_arising",
                                f"Answer {next(counter)}: " + "x" * 500, clock.now())

            saved = interleave({"autosave": timed(autosave)}, ctx.sizes["autosave"],
                              warmup=WARMUP["autosave"])
        bench.add(Row("Autosave of one answer (its own transaction, synchronous=FULL)",
                      Series.times(saved["autosave"]),
                      "`save_answer(…)` in `store.session()`, in-process", limit=0.030))
        env = store_env(path, PASSPHRASE)
        runners = {}
        for entry in catalog.files():
            template = entry.template
            if template is None or template.kind != "session":
                continue
            answers = ctx.tmp / f"{template.id}.toml"
            answers.write_text(skeleton_toml(template, now.date()), encoding="utf-8")
            runners[template.id] = process_runner(
                [SUPERVISE, "session", "new", "--answers", str(answers)], env=env)
        runners["floor"] = floor_runner(path, PASSPHRASE, people)
        runs = interleave(runners, ctx.sizes["scripted"], warmup=0)
        floor = Series.times(runs.pop("floor"))
        for template_id, samples in runs.items():
            bench.add(Row(f"Whole scripted session, `{template_id}` (`strong` store)",
                          Series.times(samples),
                          ctx.shown(SUPERVISE, "session", "new", "--answers",
                                    f"$TMP/{template_id}.toml",
                                    env=env_shown(PASSPHRASE, "$BENCH")),
                          peer=floor, peer_what="floor_unlock.py on that store",
                          peer_command=floor_shown(ctx, "$BENCH", PASSPHRASE, people)))


def exports(ctx: Context, bench: Bench, path: Path) -> None:
    import child_history

    with bench.group("export review", must=9):
        if ctx.sizes["child_records"]:  # --quick: fewer records, the same shape
            child_history.SESSIONS, child_history.DECISIONS = ctx.sizes["child_records"]
        count = child_history.build(path, PASSPHRASE)
        env = store_env(path, PASSPHRASE)
        made: list[Path] = []

        def export() -> Sample:
            made.append(ctx.tmp / f"review-{len(made)}")
            return process_runner([SUPERVISE, "export", "review", "--child", child_history.CHILD,
                                   "--out", str(made[-1])], env=env)()

        def verify() -> Sample:
            return process_runner([SUPERVISE, "verify", str(made[-1])])()

        runs = interleave({"export": export, "verify": verify}, ctx.sizes["export"], warmup=0)
        ctx.name("$REVIEW", ctx.tmp / "review-N")
        bench.add(Row(
            f"`export review` of a child with {count} signed records (`strong` store), whole "
            "command", Series.times(runs["export"]),
            ctx.shown(SUPERVISE, "export", "review", "--child", child_history.CHILD, "--out",
                      "$REVIEW", env=env_shown(PASSPHRASE, "$BENCH")),
            limit=5.0, peer=Series.times(runs["verify"]), peer_what="`verify` of that export",
            peer_command=ctx.shown(SUPERVISE, "verify", "$REVIEW"), must=9))

