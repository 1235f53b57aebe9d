"""Crash safety and concurrency with real processes on real SQLCipher stores (SPEC §6, §9).

A writer process records sessions with large answers (each spans many pages) and is SIGKILLed at
random moments and in the middle of its commits; two writers run at once; a process holding the
write lock makes another wait and then fail clearly; an interactive session waiting at a prompt
does not block readers; a backup taken during writes restores cleanly; a flipped byte is found.

The writer is `WRITER` below: it loops the CLI's own `main()` in-process over numbered answers
files and reports on its stdout, unbuffered, only what has happened:
    ready              imports done
    commit big|small   SQLAlchemy is about to COMMIT a transaction (big: it holds session answers)
    committed          that COMMIT returned
    done LABEL ID      `session new --answers` returned 0: session ID (LABEL) is committed
    fail LABEL CODE E  it returned CODE with stderr E (JSON)
    end                no answers file left, or the stop file appeared
"""

import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest

from supervise.store.db import sqlcipher as sqlite
from tests.helpers import PASSPHRASE, USER, Alarm, joined, pause

pytestmark = pytest.mark.slow

SEED = 20240917
SECTIONS = ("absence_and_training", "matters_arising", "team_issues")
IN_USE = "Another supervise process has the store open"
PHRASES = (
    "Referral made on 2 May; outcome awaited.",
    "Ada Okafor (DOB 2014-02-02) missed two health appointments.",
    "Zofia Nowak-Kowalska - settled at school \U0001f642",
    "Bezpieczeństwo dziecka: żadnych nowych obaw.",
    "Ελέγχθηκε το σχέδιο· καμία αλλαγή.",
    "子どもの声: 「学校は楽しい」",
    "مراجعة الخطة مع الأسرة",
    "tab\tseparated\tnotes",
    'quotes " and a backslash \\ kept',
    "\U0001f469\u200d\U0001f467 family contact on Friday",
)

WRITER = r'''
import contextlib, io, json, os, sys
from pathlib import Path


def emit(line):
    os.write(1, (line + "\n").encode())


mode, folder, start = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
stop = Path(sys.argv[4]) if len(sys.argv) > 4 else None

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from supervise.cli.main import main

big = [False]


@event.listens_for(Engine, "before_cursor_execute")
def _statement(conn, cursor, statement, *rest):
    big[0] = big[0] or statement.lstrip().lower().startswith("insert into session_answer")


@event.listens_for(Engine, "commit")
def _commit(conn):
    emit("commit big" if big[0] else "commit small")
    big[0] = False


@event.listens_for(Engine, "rollback")
def _rollback(conn):
    big[0] = False


@event.listens_for(Session, "after_commit")
def _after(session):
    emit("committed")


emit("ready")
if mode == "go":
    sys.stdin.readline()
k = start
while (path := folder / f"{k}.json").exists() and not (stop and stop.exists()):
    label = json.loads(path.read_text("utf-8"))["answers"]["matters_arising"].split(" ", 1)[0]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["session", "new", "--answers", str(path)])
    if code == 0:
        emit(f"done {label} {out.getvalue().strip()}")
    else:
        emit(f"fail {label} {code} {json.dumps(err.getvalue())}")
    k += 1
emit("end")
'''

HOLDER = r'''
import os, sys
from pathlib import Path

from supervise.clock import now
from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import unlock_store

db = Path(sys.argv[1])
with unlock_store(db, passphrase=lambda: os.environ["SUPERVISE_PASSPHRASE"], user=None,
                  now=now()) as store:
    key = store.db_key
conn = sqlite.connect(db, key)
print("ready", flush=True)
if sys.argv[2:] == ["sole"]:  # as `restore` and `key rotate` hold it, until stdin ends
    with sqlite.sole_access(conn, db):
        print("holding", flush=True)
        sys.stdin.readline()
    sys.exit(0)
for command in sys.stdin:  # "hold" takes the write lock, anything else lets it go
    hold = command.strip() == "hold"
    conn.execute("BEGIN IMMEDIATE" if hold else "ROLLBACK")
    print("holding" if hold else "released", flush=True)
conn.close()
'''


# --- answers, expected texts and what the store holds ------------------------------------------

def note_text(label: str, section: str, chars: int) -> str:
    """A long note, the same for the same label and section, different on every line."""
    rng = random.Random(f"{label}/{section}")
    lines = [f"{label} {section}"]
    total = len(lines[0])
    while total < chars:
        line = f"{len(lines)}: {rng.choice(PHRASES)} {rng.getrandbits(64):016x}"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Answers:
    """Numbered answers files in `folder` for the writer; remembers each label's SHA-256s."""

    def __init__(self, folder: Path, prefix: str, chars: int,
                 expected: dict[str, dict[str, str]]) -> None:
        self.folder, self.prefix, self.chars, self.expected = folder, prefix, chars, expected
        folder.mkdir(parents=True, exist_ok=True)

    def label(self, k: int) -> str:
        return f"{self.prefix}{k}"

    def ensure(self, first: int, count: int) -> None:
        for k in range(first, first + count):
            path = self.folder / f"{k}.json"
            if path.exists():
                continue
            texts = {s: note_text(self.label(k), s, self.chars) for s in SECTIONS}
            assert all(len(t) < 100_000 for t in texts.values())  # the note limit
            data = {"template": "ms-supervision-record",
                    "date": (date(2020, 1, 1) + timedelta(days=k)).isoformat(),
                    "supervisor": USER, "supervisees": ["Sam Taylor"], "answers": texts}
            path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
            self.expected[self.label(k)] = {s: sha(t) for s, t in texts.items()}


def db_key(recovery_key: str) -> bytes:
    """The recovery key is the database key (SPEC §6): read the file without unlocking it (an
    unlock is itself a write)."""
    return bytes.fromhex(recovery_key.replace("-", ""))


def stored_sessions(db: Path, key: bytes) -> dict[int, tuple[str, dict[str, str]]]:
    conn = sqlite.connect(db, key, prefer_wal=False)
    try:
        rows = conn.execute(
            "SELECT r.id, r.status, a.section_id, a.value FROM session_record r "
            "LEFT JOIN session_answer a ON a.session_id = r.id").fetchall()
    finally:
        conn.close()
    found: dict[int, tuple[str, dict[str, str]]] = {}
    for record_id, status, section, value in rows:
        _, texts = found.setdefault(record_id, (status, {}))
        answer = json.loads(value) if value is not None else None
        if isinstance(answer, str) and answer:
            texts[section] = answer
    return found


def check_sessions(db: Path, key: bytes, expected: dict[str, dict[str, str]],
                   committed: dict[str, int]) -> dict[int, str]:
    """Every session in the store is completed and holds exactly the answers it was given, and
    every session reported committed is there. Returns each stored session's label."""
    labels: dict[int, str] = {}
    for record_id, (status, texts) in stored_sessions(db, key).items():
        assert status == "completed", f"session {record_id} is {status!r}: a torn write"
        first = {text.split(" ", 1)[0] for text in texts.values()}
        assert len(first) == 1, f"session {record_id} mixes answers of {sorted(first)}"
        label = first.pop()
        assert label in expected, f"session {record_id}: unknown label {label!r}"
        digests = {section: sha(text) for section, text in texts.items()}
        assert digests == expected[label], f"session {record_id} ({label}) is torn or altered"
        labels[record_id] = label
    assert len(set(labels.values())) == len(labels), f"a session was stored twice: {labels}"
    for label, record_id in committed.items():
        assert labels.get(record_id) == label, \
            f"committed session {record_id} ({label}) is missing or replaced"
    return labels


# --- processes -----------------------------------------------------------------------------------

def env_for(store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(store), SUPERVISE_PASSPHRASE=PASSPHRASE, **extra)
    return env


def run(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "supervise", *args], env=env_for(store),
                          capture_output=True, text=True, timeout=120)


def writer(tmp_path: Path, store: Path, mode: str, answers: Answers, start: int,
           stop: Path | None = None, log_name: str = "writer.log") -> subprocess.Popen:
    script = tmp_path / "writer.py"
    if not script.exists():
        script.write_text(WRITER, "utf-8")
    args = [sys.executable, str(script), mode, str(answers.folder), str(start)]
    log = (tmp_path / log_name).open("a")
    try:
        return subprocess.Popen(args + ([str(stop)] if stop else []), env=env_for(store),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                text=True, bufsize=1)
    finally:
        log.close()


def done_lines(lines: list[str]) -> dict[str, int]:
    return {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("done ")}


def no_failures(lines: list[str], log: Path) -> None:
    failed = [line for line in lines if line.startswith("fail ")]
    assert not failed, (failed, log.read_text()[-2000:])


def healthy(cli, store: Path | None = None) -> None:
    doctor = cli("doctor", store=store)
    assert doctor.code == 0, doctor.out + doctor.err
    verified = cli("audit", "verify", store=store)
    assert verified.code == 0, verified.out + verified.err


@pytest.fixture
def sam(cli, store) -> Path:
    assert cli("person", "add", "Sam Taylor", "--role", "Deputy DSL").code == 0
    return store


# --- 1. SIGKILL at random moments ----------------------------------------------------------------

KILLS = 14
BATCH = 12


def _run_until_killed(child: subprocess.Popen, *, delay: float | None,
                      nth_big_commit: int | None) -> tuple[list[str], int]:
    """Read the writer's report; SIGKILL it `delay` seconds after it is ready, or the moment it
    announces its `nth_big_commit`-th COMMIT of session answers."""
    hung = threading.Event()

    def watchdog() -> None:
        hung.set()
        child.kill()

    guard = Alarm(60, watchdog)
    timer = None
    lines: list[str] = []
    big = 0
    try:
        assert child.stdout is not None
        for raw in child.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            if line == "ready" and delay is not None:
                timer = Alarm(delay, child.kill)
            elif line == "commit big" and nth_big_commit is not None:
                big += 1
                if big == nth_big_commit:
                    child.kill()
        child.wait(timeout=30)
    finally:
        guard.cancel()
        if timer is not None:
            timer.cancel()
    assert not hung.is_set(), f"the writer hung: {lines[-5:]}"
    return lines, child.returncode


def test_sigkill_at_random_moments_never_loses_or_tears_a_committed_session(
        cli, sam, recovery_key, tmp_path):
    """A writer recording ~300 KB sessions (about 76 pages each) is SIGKILLed 14 times on the
    same store: half at a random moment, half right as it COMMITs. After every kill the store
    passes doctor and audit verify, every session it announced is there byte for byte, and the
    only other session there may be the one in flight, whole. Catches a record written in more
    than one transaction (a draft or half an answer left behind), a journal that does not make a
    commit atomic, and a committed session lost on the next open."""
    store, key, rng = sam, db_key(recovery_key), random.Random(SEED)
    expected: dict[str, dict[str, str]] = {}
    answers = Answers(tmp_path / "answers", "w", 90_000, expected)
    committed: dict[str, int] = {}
    kills = killed_in_commit = landed_unreported = 0
    next_k = 1
    for round_ in range(KILLS):
        answers.ensure(next_k, BATCH)
        child = writer(tmp_path, store, "run", answers, next_k)
        child.stdin.close()
        if round_ % 2:
            lines, code = _run_until_killed(child, delay=None,
                                            nth_big_commit=rng.randint(1, 3))
        else:
            lines, code = _run_until_killed(child, delay=rng.uniform(0.2, 1.2),
                                            nth_big_commit=None)
        no_failures(lines, tmp_path / "writer.log")
        if code == -signal.SIGKILL:
            kills += 1
            markers = [m for m in lines if m in ("commit big", "commit small", "committed")]
            killed_in_commit += bool(markers) and markers[-1] == "commit big"
        else:
            assert code == 0 and lines[-1] == "end", (code, lines[-5:])
        reported = done_lines(lines)
        in_flight = answers.label(next_k + len(reported))
        for label, record_id in reported.items():
            assert committed.setdefault(label, record_id) == record_id

        labels = check_sessions(store, key, expected, committed)
        unreported = {label: i for i, label in labels.items() if label not in committed}
        # Only the session being written when the kill came may have landed unannounced.
        assert set(unreported) <= {in_flight}, (unreported, in_flight)
        landed_unreported += len(unreported)
        committed.update(unreported)
        next_k = max(int(label[1:]) for label in committed) + 1 if committed else 1
        healthy(cli)

    assert kills >= KILLS // 2, f"only {kills} of {KILLS} rounds ended in a kill"
    # The rounds that kill on "commit big" land inside COMMIT (writing the WAL) most times.
    assert killed_in_commit > 0, f"no kill landed inside a COMMIT in {kills} kills"
    print(f"\n{kills} kills, {killed_in_commit} inside a COMMIT, {landed_unreported} landed "
          f"unannounced; {len(committed)} sessions")
    listed = cli("session", "list", "--json")
    assert listed.code == 0, listed.err
    rows = json.loads(listed.out)
    assert sorted(r["id"] for r in rows) == sorted(committed.values())
    assert {r["status"] for r in rows} == {"completed"}
    last = max(committed.values())
    shown = json.loads(cli("session", "show", str(last), "--json").out)
    label = next(lbl for lbl, i in committed.items() if i == last)
    assert {a["id"]: sha(a["answer"]) for a in shown["answers"] if a["answer"]} == expected[label]


# --- 2. Two writers at once ----------------------------------------------------------------------

def test_two_writers_at_once_lose_nothing_and_any_failure_is_one_clear_line(
        cli, sam, recovery_key, tmp_path):
    """Two processes record six sessions each, released at the same moment. Every write lands,
    or fails with the one-line StoreInUse error and stores nothing; the store holds exactly the
    sessions reported and its audit chain is whole. Catches an untranslated "database is locked"
    (an Unexpected error), a write half-stored by a failed attempt, and a forked audit chain."""
    store, key = sam, db_key(recovery_key)
    expected: dict[str, dict[str, str]] = {}
    sets = {who: Answers(tmp_path / f"answers-{who}", who, 30_000, expected) for who in "AB"}
    children = {}
    for who, answers in sets.items():
        answers.ensure(1, 6)
        children[who] = writer(tmp_path, store, "go", answers, 1, log_name=f"{who}.log")
    for child in children.values():
        assert child.stdout.readline().strip() == "ready"
    for child in children.values():  # both start writing at the same moment
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = {who: child.communicate(timeout=120)[0].splitlines()
               for who, child in children.items()}

    landed: dict[str, int] = {}
    for who, lines in outputs.items():
        assert children[who].returncode == 0 and lines[-1] == "end", lines[-5:]
        for line in lines:
            if line.startswith("fail "):
                _, label, code, err = line.split(" ", 3)
                message = json.loads(err)
                assert code == "1" and message.count("\n") == 1, line
                assert message.startswith(f"Error: {IN_USE}"), line
        landed.update(done_lines(lines))
    assert landed, outputs
    labels = check_sessions(store, key, expected, landed)
    assert sorted(labels) == sorted(landed.values()), "a failed write left something behind"
    order = "".join(labels[i][0] for i in sorted(labels))
    assert order.count("AB") + order.count("BA") > 1, f"the writers never overlapped: {order}"
    healthy(cli)


# --- 3. A held write lock makes a second process wait, then fail clearly -------------------------

def audit_head(db: Path, key: bytes) -> tuple:
    conn = sqlite.connect(db, key, prefer_wal=False)
    try:
        return conn.execute(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()


@contextmanager
def lock_holder(store, tmp_path) -> Iterator:
    """Another process that takes the store's write lock (BEGIN IMMEDIATE) when told "hold"
    and lets it go when told "release"; yields the function that tells it."""
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, "utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(store)], env=env_for(store),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)

    def tell(command: str) -> str:
        process.stdin.write(command + "\n")
        process.stdin.flush()
        return process.stdout.readline().strip()

    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        yield tell
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0, process.stderr.read()


def test_a_second_process_waits_for_the_write_lock_then_fails_with_one_clear_line(
        cli, store, recovery_key, tmp_path):
    """A helper holds the write lock (BEGIN IMMEDIATE) for longer than the busy timeout:
    `person add` exits 1 with one line naming the other process, and writes nothing (no audit
    event, no failed-unlock note). Held again and let go while a second `person add` waits, that
    one gets in. Catches an untranslated lock error, a refused process that wrote before giving
    up, and a busy timeout of zero (failing at once instead of waiting briefly)."""
    key = db_key(recovery_key)
    with lock_holder(store, tmp_path) as tell:
        assert tell("hold") == "holding"
        before = audit_head(store, key)  # a reader is never blocked by the writer (WAL)
        blocked = run(store, "person", "add", "Held Out", "--role", "Teacher")
        during = audit_head(store, key)
        assert tell("release") == "released"
        after = audit_head(store, key)

        # Let go while a second process waits: it gets in, as SPEC §9 has it ("wait briefly").
        assert tell("hold") == "holding"
        waiting = subprocess.Popen([sys.executable, "-m", "supervise", "person", "add",
                                    "Waited For", "--role", "Teacher"], env=env_for(store),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pause(1.5)  # well inside its 5 s busy timeout, whenever it got there
        assert tell("release") == "released"
        _, waited = waiting.communicate(timeout=60)

    assert blocked.returncode == 1, blocked.stderr
    assert blocked.stdout == ""
    assert blocked.stderr.count("\n") == 1 and blocked.stderr.startswith("Error: "), \
        blocked.stderr
    assert IN_USE in blocked.stderr
    assert before == during == after, "the refused process wrote something"
    assert not store.with_name(store.name + ".unlock-failures").exists()
    assert waiting.returncode == 0, waited
    names = [p["name"] for p in json.loads(cli("person", "list", "--json").out)]
    assert "Waited For" in names and "Held Out" not in names
    healthy(cli)


def test_a_store_held_whole_by_restore_or_rotation_is_in_use_not_damaged(
        cli, store, tmp_path):
    """While another process holds the file exclusively (restore, key rotate), doctor and any
    command say it is in use, exit 1: never "damaged", never the advice to restore a backup
    (which would lose records). Once it lets go, doctor passes."""
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, "utf-8")
    holder = subprocess.Popen([sys.executable, str(script), str(store), "sole"],
                              env=env_for(store), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        checked = run(store, "doctor")
        listed = run(store, "person", "list")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert holder.returncode == 0, holder.stderr.read()
    for result in (checked, listed):
        assert result.returncode == 1, result.stdout + result.stderr
        assert IN_USE in result.stderr and "damaged" not in result.stderr + result.stdout
        assert "restore" not in result.stdout + result.stderr
    healthy(cli)


def test_restore_after_a_key_rotation_still_waits_for_sole_access(cli, store, tmp_path):
    """The backup predates `key rotate`, so its key no longer opens the store: restore opens
    the store with its own key file instead, and refuses while another process has it open
    (its writes would otherwise land in the replaced copy, unseen)."""
    backup = tmp_path / "usb" / "before-rotation.supervise-backup"
    backup.parent.mkdir()
    assert cli("backup", "--to", str(backup)).code == 0
    assert cli("key", "rotate", "--yes").code == 0
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, "utf-8")
    holder = subprocess.Popen([sys.executable, str(script), str(store)], env=env_for(store),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        before = store.read_bytes()
        refused = run(store, "restore", str(backup))
        unchanged = store.read_bytes() == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert refused.returncode == 1 and IN_USE in refused.stderr, refused.stderr
    assert unchanged
    restored = run(store, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    healthy(cli)


# --- 4. A session open at a prompt does not block another terminal -------------------------------

def test_a_session_waiting_at_a_prompt_does_not_block_overdue_or_session_list(
        cli, sam, tmp_path):
    """`session new` in a real terminal with two answers autosaved, waiting at the third:
    `overdue --json` and `session list --json` from two other processes both work and list the
    draft; Ctrl-C then keeps the draft. Catches a walk that holds a transaction or an exclusive
    lock across prompts (every other command would wait, then fail)."""
    store = sam
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER).code == 0
    child = pexpect.spawn(sys.executable, ["-m", "supervise", "session", "new", "--supervisee",
                                           "Sam Taylor", "--time", "14:30", "--duration", "60"],
                          env=env_for(store, TERM="xterm", NO_COLOR="1"), cwd=str(tmp_path),
                          encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    try:
        child.expect_exact("Kind of session:")
        child.send("\r")  # one-to-one, as offered
        child.expect_exact("Date held:")
        child.send("\r")
        child.expect_exact("holidays, sickness absence")
        child.send("Annual leave 1-5 August")
        child.send("\x1b\r")
        child.expect_exact("ALL current cases or a sample")
        child.send("\r")
        child.expect_exact("Matters arising")  # two answers saved; waiting at the third

        with ThreadPoolExecutor(max_workers=2) as pool:  # two more terminals, at once
            overdue, listed = pool.map(lambda args: run(store, *args),
                                       [("overdue", "--json"), ("session", "list", "--json")])
        assert child.isalive()
    finally:
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
    assert overdue.returncode == 0, overdue.stderr
    assert isinstance(json.loads(overdue.stdout), list)
    assert listed.returncode == 0, listed.stderr
    assert [(r["id"], r["status"]) for r in json.loads(listed.stdout)] == [(1, "draft")]
    assert child.exitstatus == 130, child.logfile_read.getvalue()[-1000:]

    draft = json.loads(cli("session", "show", "1", "--json").out)
    assert draft["status"] == "draft"
    assert {a["id"]: a["answer"] for a in draft["answers"] if a["answer"]} == {
        "absence_and_training": "Annual leave 1-5 August", "case_coverage": "All current cases"}
    healthy(cli)


# --- 5. A backup taken during writes restores cleanly --------------------------------------------

def test_a_backup_taken_while_a_writer_records_restores_to_a_healthy_prefix(
        cli, sam, recovery_key, tmp_path):
    """Two `backup --to` runs while a writer records sessions (and another connection keeps the
    store open, so recent commits are still in the write-ahead log). Each backup restores, to a
    new path and over the store itself, into a store that passes doctor and audit verify and
    holds a prefix of the writer's sessions, including every one committed before it began.
    Catches a backup that copies the database file (missing the WAL, or torn mid-checkpoint)."""
    store, key = sam, db_key(recovery_key)
    expected: dict[str, dict[str, str]] = {}
    answers = Answers(tmp_path / "answers", "b", 20_000, expected)
    answers.ensure(1, 40)
    stop = tmp_path / "stop"
    # Another terminal has the store open meanwhile, so closing the writer's connections does not
    # checkpoint: recent commits live in the write-ahead log, not yet in the database file.
    elsewhere = sqlite.connect(store, key)
    child = writer(tmp_path, store, "run", answers, 1, stop=stop)
    child.stdin.close()
    lines: list[str] = []

    def read() -> None:
        for line in child.stdout:
            lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read)
    reader.start()
    backups, floors, writing = tmp_path / "off-site", [], 0
    backups.mkdir()
    try:
        for n in (1, 2):
            while len(done_lines(lines)) < 2 * n and child.poll() is None:
                pause(0.05)
            floors.append(dict(done_lines(lines)))  # committed before this backup began
            made = run(store, "backup", "--to", str(backups / f"{n}.supervise-backup"))
            assert made.returncode == 0, made.stderr
            writing += "end" not in lines and len(done_lines(lines)) > len(floors[-1])
    finally:
        stop.touch()
        child.wait(timeout=60)
        assert joined(reader, 30)
        elsewhere.close()
    no_failures(lines, tmp_path / "writer.log")
    assert child.returncode == 0 and lines[-1] == "end"
    assert writing, "the writer was never recording while a backup was taken"
    committed = done_lines(lines)
    everything = check_sessions(store, key, expected, committed)
    healthy(cli)

    def prefix_restored(db: Path, floor: dict[str, int]) -> None:
        healthy(cli, db)
        labels = check_sessions(db, key, expected, floor)
        assert labels == {i: everything[i] for i in sorted(everything)[:len(labels)]}

    fresh = tmp_path / "elsewhere" / "store.db"
    result = cli("restore", str(backups / "1.supervise-backup"), store=fresh)
    assert result.code == 0, result.err
    prefix_restored(fresh, floors[0])

    result = cli("restore", str(backups / "2.supervise-backup"))  # over the store in use
    assert result.code == 0, result.err
    assert "kept as" in result.err
    prefix_restored(store, floors[1])


# --- 6. One flipped byte is found, and a backup puts it right ------------------------------------

def flip(path: Path, offset: int, mask: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ mask]))


@pytest.mark.parametrize("where", ["far page, one bit", "page 1 body", "page 1 salt"])
def test_a_flipped_byte_is_reported_by_doctor_and_a_backup_restores_the_store(
        cli, sam, recovery_key, tmp_path, where):
    """One bit flipped in a page two thirds into the file, or a byte in page 1's body or in its
    salt, with every connection closed: doctor exits 4, names the damage (the page, for a far
    one) and advises `supervise restore`; no command crashes on it; restoring a backup taken
    before makes the store whole again. Catches a doctor that skips the HMAC page check."""
    store, key = sam, db_key(recovery_key)
    expected: dict[str, dict[str, str]] = {}
    answers = Answers(tmp_path / "answers", "f", 60_000, expected)
    answers.ensure(1, 3)
    for k in (1, 2, 3):
        assert cli("session", "new", "--answers", str(answers.folder / f"{k}.json")).code == 0
    safe = tmp_path / "safe" / "before.supervise-backup"
    safe.parent.mkdir()
    assert cli("backup", "--to", str(safe)).code == 0
    intact = check_sessions(store, key, expected, {})
    assert not store.with_name(store.name + "-wal").exists(), "a connection was left open"
    pages = store.stat().st_size // sqlite.PAGE_SIZE
    assert pages > 30
    offset, mask = {
        "far page, one bit": ((pages * 2 // 3) * sqlite.PAGE_SIZE + 2000, 0x10),
        "page 1 body": (2000, 0xFF),
        "page 1 salt": (7, 0xFF),
    }[where]
    flip(store, offset, mask)

    doctor = cli("doctor")
    shown = doctor.out + doctor.err
    assert "Unexpected" not in shown and "Traceback" not in shown, shown
    assert doctor.code == 4, shown
    assert "supervise restore" in shown, shown
    if where == "far page, one bit":
        assert "damaged page" in shown, shown
    assert doctor.err.count("\n") == 1 and doctor.err.startswith("Error: "), doctor.err
    for args in (("audit", "verify"), ("session", "list"), *(("session", "show", str(k))
                                                           for k in (1, 2, 3))):
        other = cli(*args)  # whatever each makes of it, never a crash
        assert "Unexpected" not in other.err and "Traceback" not in other.err, (args, other)

    restored = cli("restore", str(safe))
    assert restored.code == 0, restored.err
    healthy(cli)
    assert check_sessions(store, key, expected, {}) == intact
