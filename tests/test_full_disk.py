"""A full disk (issue 20): every writing command, run through the real exit point on a store kept
on a small tmpfs with its free space filled, prints no success line, says the disk is full (never
"damaged", never "Unexpected"), loses nothing committed before, and once space is freed the store
is healthy and the same command succeeds.

In-process (tests/conftest.py's Cli, the same `main` the console script runs) to stay fast; one
subprocess test shows the same at 0 bytes free through the installed entry point."""

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from supervise.cli import prompts
from tests.clock import YESTERDAY
from tests.conftest import Cli, build_signed
from tests.helpers import PASSPHRASE, USER, ScriptedPrompter
from tests.signed_records import record_session

pytestmark = pytest.mark.slow

DISK_FULL = ("Error: The disk is full; your store is not damaged; nothing was saved. Free some "
             "space on that disk, then run the command again.")
NEW = "a brand new passphrase"
DISK_MB = 8


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory) -> Iterator[Path]:
    """A tmpfs of DISK_MB, mounted for this module (we run as root, as CI does)."""
    root = tmp_path_factory.mktemp("small-disk")
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m,mode=0700",
                                  "tmpfs", str(root)], capture_output=True, text=True)
    except OSError as error:
        pytest.skip(f"cannot run mount: {error}")
    if mounted.returncode != 0:
        pytest.skip(f"mount refused a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], capture_output=True)


def free_bytes(path: Path) -> int:
    found = os.statvfs(path)
    return found.f_bavail * found.f_frsize


def fill(disk: Path, leave: int = 0) -> Path:
    """A filler file taking every free byte of `disk` but `leave` (0: until the disk refuses)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while (room := free_bytes(disk) - leave) > 0:
            os.write(fd, bytes(min(1 << 20, room)))
        while not leave:
            os.write(fd, bytes(512))
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


# --- the store the commands run on: signed session 1, and one of everything to act on ------------

def build_everything(cli: Cli, scratch: Path) -> dict:
    """build_signed, then: session 2 completed and unsigned (decision 2, action 2), contract 1
    unsigned, a hold, Mo Manager a key holder, a backup, a draft session 3, files to give."""
    key = build_signed(cli, scratch)
    assert record_session(cli, scratch, name="s2.toml") == "2"
    ok(cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER))
    ok(cli("retention", "hold", "--child", "Ada Okafor", "--reason", "CSPR 2026/14"))
    ok(cli("key", "add-user", "Mo Manager",
           env={"SUPERVISE_NEW_PASSPHRASE": "mo's own passphrase"}))
    cli = AsUser(cli.store)
    inputs = scratch / "inputs"
    inputs.mkdir()
    ok(cli("backup", "--to", str(inputs / "store.backup")))
    with prompts.use(ScriptedPrompter(("Kind of session", "One-to-one"), ("holidays", "Leave"),
                                      ("ALL current cases", "A sample"),
                                      ("Matters", KeyboardInterrupt()))):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--date", "2026-01-05",
                   "--time", "10:00", "--duration", "60").code == 130
    (inputs / "recovery.txt").write_text(key + "\n")
    (inputs / "child.txt").write_text("Nia Brown\n")
    (inputs / "ada.txt").write_text("Ada Okafor\n")
    earlier = f'date = "{YESTERDAY - timedelta(days=2)}"'
    (inputs / "s4.toml").write_text(re.sub(r'(?m)^date = ".*"$', earlier,
                                           (scratch / "s2.toml").read_text()))
    for path in inputs.iterdir():
        path.chmod(0o600)
    return {"recovery_key": key}


class AsUser(Cli):
    """The store has two key holders: every command says whose passphrase it gives."""

    def __call__(self, *args: str, env: dict[str, str] | None = None, **kwargs):
        return super().__call__(*args, env={"SUPERVISE_USER": USER, **(env or {})}, **kwargs)


def ok(result) -> None:
    assert result.code == 0, result.err


@dataclass
class Case:
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    passphrase: str | None = PASSPHRASE


# What each writing command is given: `{disk}` is the full disk, `{inputs}` files made beforehand
# on another disk. Every one runs on its own copy of the store.
CASES = {
    "init": Case(("init", "--org", "New Org", "--user", "New Person", "--kdf", "owasp-minimum",
                  "--store", "{disk}/new/store.db")),
    "person add": Case(("person", "add", "Amy Brown", "--role", "Teacher")),
    "person edit": Case(("person", "edit", "Sam Taylor", "--team", "Year 6")),
    "person leave": Case(("person", "leave", "Mo Manager", "--date", "2026-01-02")),
    "person enrol": Case(("person", "enrol", "Sam Taylor", "--forgotten"),
                         env={"SUPERVISE_SIGNER_PASSPHRASE": "sam's newer passphrase"}),
    "child add": Case(("child", "add", "Nia Brown", "--dob", "2015-03-03")),
    "child add --child-file": Case(("child", "add", "--child-file", "{inputs}/child.txt")),
    "contract new": Case(("contract", "new", "--supervisee", "Mo Manager", "--supervisor",
                          USER)),
    "contract sign": Case(("contract", "sign", "1", "--as", USER)),
    "contract review": Case(("contract", "review", "1")),
    "contract end": Case(("contract", "end", "1", "--reason", "Left the school")),
    "contract amend": Case(("contract", "amend", "1", "--section", "recording", "--text",
                            "Typed in the meeting.", "--reason", "Clearer")),
    "session new": Case(("session", "new", "--answers", "{inputs}/s4.toml")),
    "session sign": Case(("session", "sign", "2", "--as", USER)),
    "session amend": Case(("session", "amend", "1", "--section", "matters_arising", "--text",
                           "Referral made on 3 May.", "--reason", "Wrong date")),
    "session cancel": Case(("session", "cancel", "--supervisee", "Sam Taylor", "--date",
                            "2026-01-06", "--by", "supervisee", "--reason", "Unwell")),
    "session discard": Case(("session", "discard", "3", "--yes")),
    "decision sign": Case(("decision", "sign", "2", "--as", USER)),
    "decision amend": Case(("decision", "amend", "2", "--text", "Strategy discussion held.",
                            "--reason", "Outcome")),
    "action done": Case(("action", "done", "1", "--note", "Called")),
    "action update": Case(("action", "update", "2", "--due", "2027-01-01")),
    "policy set": Case(("policy", "set", "school-trust")),
    "retention hold": Case(("retention", "hold", "--person", "Sam Taylor", "--reason",
                            "LADO 77")),
    "retention release": Case(("retention", "release", "1", "--reason", "Review published")),
    "retention purge": Case(("retention", "purge", "--yes")),
    "key passwd": Case(("key", "passwd"), env={"SUPERVISE_NEW_PASSPHRASE": NEW}),
    "key add-user": Case(("key", "add-user", "Sam Taylor"),
                         env={"SUPERVISE_NEW_PASSPHRASE": NEW}),
    "key remove-user": Case(("key", "remove-user", "Mo Manager", "--yes", "--user", USER)),
    "key recover": Case(("key", "recover", "--recovery-key-file", "{inputs}/recovery.txt",
                         "--kdf", "owasp-minimum"), passphrase=None,
                        env={"SUPERVISE_NEW_PASSPHRASE": NEW}),
    "key rotate": Case(("key", "rotate", "--yes")),
    "unlock": Case(("unlock", "--raw")),
    "backup": Case(("backup", "--to", "{disk}/out.backup")),
    "restore": Case(("restore", "{inputs}/store.backup")),
    "export review --child-file": Case(("export", "review", "--child-file",
                                        "{inputs}/ada.txt", "--out", "{disk}/review")),
    "export person": Case(("export", "person", "Sam Taylor", "--out", "{disk}/sam")),
    "session export": Case(("session", "export", "1", "--out", "{disk}/s1.docx")),
    "person list": Case(("person", "list")),  # a reading command writes its unlock event
}


@pytest.fixture
def on_small_disk(small_disk, template_stores, tmp_path) -> Iterator[tuple[Cli, Path, Path]]:
    """A copy of the everything store on the small disk (team/), its inputs on tmp_path."""
    template_stores.copy("everything", build_everything, tmp_path)
    for leftover in small_disk.iterdir():
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    shutil.copytree(tmp_path / "team", small_disk / "team")
    yield AsUser(small_disk / "team" / "store.db"), small_disk, tmp_path / "inputs"
    for leftover in small_disk.iterdir():
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()


def run(cli: Cli, case: Case, disk: Path, inputs: Path):
    args = [a.format(disk=disk, inputs=inputs) for a in case.args]
    return cli(*args, passphrase=case.passphrase, env=case.env)  # no terminal: nothing asked


def said_last(result) -> list[str]:
    """What a command prints last on each stream: its success line (or record id)."""
    return [text.strip().splitlines()[-1] for text in (result.out, result.err) if text.strip()]


def events(cli: Cli, passphrase: str) -> list[dict]:
    result = cli("audit", "log", "--json", passphrase=passphrase)
    assert result.code == 0, result.err
    return json.loads(result.out)


def passphrase_after(name: str, succeeded: bool) -> str:
    return NEW if succeeded and name in ("key passwd", "key recover") else PASSPHRASE


# With 40 KiB left, most commands unlock (their unlock event fits) and fail at their own write;
# with none, every one fails as the store opens: tried for the commands that write files too.
EXACTLY_FULL = ("init", "person add", "session new", "key rotate", "unlock", "backup",
                "restore", "export review --child-file", "session export")
LEVELS = [pytest.param(name, 40 << 10, id=f"{name}-40k-left") for name in CASES] + [
    pytest.param(name, 0, id=f"{name}-exactly-full") for name in EXACTLY_FULL]


@pytest.mark.parametrize(("name", "leave"), LEVELS)
def test_a_writing_command_on_a_full_disk_says_so_saves_nothing_and_succeeds_once_freed(
        on_small_disk, name, leave):
    cli, disk, inputs = on_small_disk
    case = CASES[name]
    before = events(cli, PASSPHRASE)
    filler = fill(disk, leave)
    result = run(cli, case, disk, inputs)
    filler.unlink()
    if result.code == 0:  # it fitted in what was left: then it is whole, and said so
        assert leave, f"{name} succeeded on a disk with no byte free: {result.out}"
    else:
        assert result.err.strip().splitlines()[-1] == DISK_FULL, result.err
        assert result.code == 1 and "Unexpected" not in result.err
        written = [Path(a.format(disk=disk)) for a in case.args if a.startswith("{disk}")]
        left = [p for p in written if p.exists() and not (p.is_dir() and not any(p.iterdir()))]
        left += [p for p in disk.rglob(".*")]  # hidden staging copies
        assert left == [], left  # nothing half-written is left behind
    passphrase = passphrase_after(name, result.code == 0)
    assert cli("doctor", passphrase=passphrase).code == 0, name
    assert cli("audit", "verify", passphrase=passphrase).code == 0, name
    after = events(cli, passphrase)
    assert after[:len(before)] == before  # nothing committed before is lost
    if result.code == 0:
        return
    added = {e["action"] for e in after[len(before):]}
    # the command left nothing but the unlocks (its own, if it fitted, and doctor's)
    assert added <= {"store.unlock", "store.unlock-recovery-key", "store.doctor"}, added
    again = run(cli, case, disk, inputs)
    assert again.code == 0, (name, again.err)
    failed = [line.strip() for line in (result.out + result.err).splitlines()]
    # whatever the failed run printed came before its write: never what success ends with
    assert said_last(again) and not any(line in failed for line in said_last(again)), \
        (result, again)
    assert result.out == again.out[:len(result.out)]
    assert result.err.strip().splitlines()[:-1] == again.err.strip().splitlines()[
        :len(result.err.strip().splitlines()) - 1]


def test_at_zero_bytes_free_a_command_says_the_disk_is_full_never_damaged(on_small_disk):
    """Through real processes, with not one byte free: `person list` lists (it needs to write
    nothing) or says the disk is full; `person add` says the disk is full. Neither calls the
    store damaged nor asks for a restore, which would put an older copy over a healthy store."""
    cli, disk, _ = on_small_disk
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(cli.store), SUPERVISE_PASSPHRASE=PASSPHRASE,
               SUPERVISE_USER=USER)
    filler = fill(disk)
    try:
        listed, added = (
            subprocess.run([sys.executable, "-m", "supervise", *args], env=env,
                           capture_output=True, text=True, timeout=60)
            for args in (["person", "list"], ["person", "add", "Amy Brown", "--role", "Teacher"]))
    finally:
        filler.unlink()
    assert (added.returncode, added.stdout, added.stderr) == (1, "", DISK_FULL + "\n")
    assert "truncated or damaged" not in listed.stderr and "restore it" not in listed.stderr
    assert (listed.returncode, listed.stderr) == (1, DISK_FULL + "\n") or (
        listed.returncode == 0 and "Sam Taylor" in listed.stdout), listed
    assert "Amy Brown" not in cli("person", "list").out


def test_an_export_whose_audit_event_finds_no_room_leaves_no_file(on_small_disk, monkeypatch):
    """The window between a DOCX written and its audit event committed: swept 4 KiB at a time
    from too little room to enough. Every run that fails says the disk is full and leaves no
    file (an export the audit trail does not hold); at least one failed after writing it."""
    from supervise.app import exports

    cli, disk, _ = on_small_disk
    wrote = []
    real = exports.write_single
    monkeypatch.setattr(exports, "write_single",
                        lambda *a, **k: (wrote.append(a[0]), real(*a, **k))[1])
    target = disk / "s1.docx"
    assert cli("session", "export", "1", "--out", str(target)).code == 0
    size = target.stat().st_size
    target.unlink()
    cut_after_writing = 0
    for leave in range(size + (32 << 10), size + (128 << 10), 4 << 10):
        wrote.clear()
        filler = fill(disk, leave)
        result = cli("session", "export", "1", "--out", str(target))
        filler.unlink()
        if result.code == 0:
            break
        assert result.err.strip().splitlines()[-1] == DISK_FULL, result.err
        assert not target.exists() and not list(disk.rglob(".*")), leave
        cut_after_writing += bool(wrote)
    assert result.code == 0 and target.exists()
    assert cut_after_writing, "no run failed between the file and its audit event"


class FillsTheDisk(ScriptedPrompter):
    """Answers as scripted; the answer to `at` is given once the disk has been filled."""

    def __init__(self, disk: Path, at: str, *script: tuple[str, object]) -> None:
        super().__init__(*script)
        self.disk, self.at = disk, at

    def note(self, message: str, default: str = "") -> str:
        if self.at in message:
            fill(self.disk)
        return super().note(message, default)

    def choice(self, message: str, choices: list[str], default: str | None = None) -> str:
        if self.at in message:
            fill(self.disk)
        return super().choice(message, choices, default)


def test_a_walk_that_meets_a_full_disk_keeps_the_answers_before_and_says_how_to_go_on(
        on_small_disk):
    cli, disk, _ = on_small_disk
    walking = FillsTheDisk(disk, "ALL current cases", ("Kind of session", "One-to-one"),
                           ("holidays", "Annual leave in May"),
                           ("ALL current cases", "A sample"))
    with prompts.use(walking):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--date",
                     str(YESTERDAY), "--time", "10:00", "--duration", "60")
    filled = (disk / "filler").exists()
    (disk / "filler").unlink(missing_ok=True)
    assert filled and result.code == 1, (walking.asked, result.err)
    assert result.err.strip().splitlines()[-1] == (
        "Error: The disk is full; your store is not damaged; session 4 keeps every answer "
        "before the last one, which was not saved. Free some space on that disk, then go on "
        "with `supervise session resume 4`.")
    assert "completed" not in result.out + result.err
    shown = cli("session", "show", "4", "--json")
    assert shown.code == 0 and "Annual leave in May" in shown.out
    answers = json.loads(shown.out)["answers"]
    assert "A sample" not in json.dumps(answers), answers
    assert cli("doctor").code == 0 and cli("audit", "verify").code == 0
