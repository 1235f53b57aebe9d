"""Issue 19: a review bundle's README.txt lets a reviewer check it with bash, coreutils and
OpenSSL 3 alone. The commands are taken from the README of a bundle made through the product,
pasted into an interactive bash (as a reader would) whose PATH holds coreutils and openssl and
nothing else, on the bundle as made and on copies changed the ways an editor could change them."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supervise.domain.records.signing import fingerprint
from supervise.export.bundle import FILE_LIST, FILE_LIST_KEY, sums_text
from supervise.keycrypto import b64, ed25519_pem
from tests.conftest import FIRST_CHILD
from tests.helpers import USER, verify_as_reviewer
from tests.signed_records import HELD, SECOND_CHILD, record_session

# What the reader is told to paste: the lines between these two, as README.txt shows them.
PASTE, END = "---- PASTE INTO BASH FROM HERE ----", "---- TO HERE ----"


@dataclass
class Check:
    number: int
    title: str
    commands: str

    @property
    def optional(self) -> bool:
        return self.title.startswith("Optional")


def readme_checks(readme: str) -> list[Check]:
    """Each block of commands in the README, under the numbered heading before it."""
    checks: list[Check] = []
    title, lines = "", None
    for line in readme.splitlines():
        number, dot, rest = line.partition(". ")
        if lines is None and dot and number.isdigit():
            title = f"{number}. {rest}"
        elif line == PASTE:
            assert lines is None, f"a block under {title!r} never reaches {END!r}"
            lines = []
        elif line == END:
            assert lines is not None, f"{END!r} without {PASTE!r} under {title!r}"
            head, _, words = title.partition(". ")
            checks.append(Check(int(head), words, "\n".join(lines) + "\n"))
            lines = None
        elif lines is not None:
            lines.append(line)
    assert lines is None, f"the block under {title!r} never reaches {END!r}"
    return checks


@pytest.fixture(scope="module")
def standard_tools(tmp_path_factory) -> Path:
    """A folder of links to coreutils' programs, openssl and bash: all the PATH a reader has."""
    if shutil.which("dpkg-query") is None or shutil.which("openssl") is None:
        pytest.skip("needs Debian's coreutils (dpkg-query) and openssl")
    listed = subprocess.run(["dpkg-query", "-L", "coreutils"], capture_output=True, text=True,
                            check=True).stdout.split()
    tools = tmp_path_factory.mktemp("standard-tools")
    for program in [p for p in listed if "/bin/" in p] + [shutil.which("openssl"),
                                                          shutil.which("bash")]:
        path = Path(str(program))
        if path.is_file() and os.access(path, os.X_OK) and not (tools / path.name).exists():
            (tools / path.name).symlink_to(path.resolve())
    assert (tools / "sha256sum").exists() and not (tools / "grep").exists()
    return tools


@dataclass
class Pasted:
    code: int
    out: str

    def lines(self, word: str) -> list[str]:
        return [line for line in self.out.splitlines() if line.startswith(word)]


def paste(check: Check, folder: Path, tools: Path, home: Path) -> Pasted:
    """The block pasted into an interactive bash started in `folder` (history expansion,
    continuation lines and heredocs behave as at a terminal)."""
    path = str(tools)
    if check.optional:
        python = home / "python"
        python.mkdir(exist_ok=True)
        if not (python / "python3").exists():
            (python / "python3").symlink_to(sys.executable)
        path = f"{python}:{path}"
    done = subprocess.run([str(tools / "bash"), "--norc", "--noprofile", "-i"],
                          input=check.commands, cwd=folder, capture_output=True, text=True,
                          env={"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}, timeout=120)
    broken = ("command not found", "syntax error", "here-document", "Traceback", "Error:")
    errors = [line for line in done.stderr.splitlines() if any(b in line for b in broken)]
    assert not errors, f"check {check.number}: {errors}"
    return Pasted(done.returncode, done.stdout)


def paste_all(folder: Path, tools: Path, home: Path) -> dict[int, Pasted]:
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    return {check.number: paste(check, folder, tools, home) for check in readme_checks(readme)}


def copy_of(bundle: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(bundle, target)
    return target


def record_docx(folder: Path, signed: str) -> Path:
    return folder / f"{HELD.isoformat()}-session-{signed}.docx"


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def sums_made_again(folder: Path) -> None:
    """SHA256SUMS written afresh over what the folder now holds, as `sha256sum` would."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in names))


def without_lines(path: Path, *names: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if line.rstrip("\n").split("  ", 1)[1] not in names]
    assert len(kept) == len(lines) - len(names)
    path.write_text("".join(kept))


@pytest.mark.slow
def test_the_readme_checks_pass_on_the_bundle_as_made(bundle, standard_tools, tmp_path):
    readme = (bundle / "README.txt").read_text(encoding="utf-8")
    checks = readme_checks(readme)
    assert [c.number for c in checks] == [1, 2, 3, 4, 5, 6, 7]
    assert [c.number for c in checks if c.optional] == [7]
    manifest = json.loads((bundle / "manifest.json").read_text())
    signatures = sum(len(r["signatures"]) for r in manifest["records"])
    pasted = paste_all(bundle, standard_tools, tmp_path)
    for number, result in pasted.items():
        assert result.code == 0, (number, result.out)
        assert result.lines("PASS:"), (number, result.out)
        assert not result.lines("FAIL"), (number, result.out)
    assert len(pasted[6].lines("PASS:")) == signatures == 2
    assert len(pasted[7].lines("PASS:")) == len(manifest["records"])
    assert manifest["exported_by"]["fingerprint"] in pasted[1].out


def changed_docx(folder: Path, signed: str) -> None:
    flip_a_byte(record_docx(folder, signed))


def regenerated_sums(folder: Path, signed: str) -> None:
    flip_a_byte(record_docx(folder, signed))
    sums_made_again(folder)


def removed_with_its_line(folder: Path, signed: str) -> None:
    record = record_docx(folder, signed)
    record.unlink()
    without_lines(folder / "SHA256SUMS", record.name)


def removed_signature(folder: Path, signed: str) -> None:
    names = [f"signatures/session-{signed}-2.json", f"signatures/session-{signed}-2.sig"]
    for name in names:
        (folder / name).unlink()
    without_lines(folder / "SHA256SUMS", *names)


def added_files(folder: Path, signed: str) -> None:
    (folder / "notes.txt").write_text("reviewer's notes")
    (folder / "keys" / ".hidden").write_text("")


def list_made_again(folder: Path, signed: str) -> None:
    """The DOCX changed and both the list of files and SHA256SUMS written afresh to match."""
    flip_a_byte(record_docx(folder, signed))
    lines = []
    for line in (folder / FILE_LIST).read_text().splitlines():
        name = line.split("  ", 1)[1]
        lines.append(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n")
    (folder / FILE_LIST).write_text("".join(lines))
    sums_made_again(folder)


@pytest.mark.slow
@pytest.mark.parametrize("tamper, caught_by, says", [
    (changed_docx, {3, 4}, "FAILED"),
    (regenerated_sums, {3, 4}, "SHA256SUMS does not match the manifest"),
    (removed_with_its_line, {3, 4}, "FAILED open or read"),
    (removed_signature, {3, 4}, "FAILED open or read"),
    (added_files, {5}, "keys/.hidden"),
    (list_made_again, {2}, "manifest-files.sha256 was changed or replaced"),
], ids=["changed-docx", "regenerated-sums", "removed-file-and-line", "removed-signature",
        "added-file", "regenerated-list"])
def test_the_readme_checks_catch_each_change(bundle, standard_tools, tmp_path, cli, signed,
                                             tamper, caught_by, says):
    folder = copy_of(bundle, tmp_path, "tampered")
    tamper(folder, signed)
    pasted = paste_all(folder, standard_tools, tmp_path)
    failed = {n for n, result in pasted.items() if result.lines("FAIL")}
    assert caught_by <= failed, {n: r.out for n, r in pasted.items()}
    assert says in "\n".join(r.out + "\n" for r in pasted.values())
    if tamper is added_files:
        assert "notes.txt" in pasted[5].out
    assert cli("verify", str(folder), passphrase=None).code == 4


def as_made_before_the_list(folder: Path) -> None:
    """The folder as exports were written before the list of files: no list, the manifest
    without its SHA-256, SHA256SUMS without its line; signed again by a stand-in exporter, who
    signed none of its records (so nothing in it ties the exporter to another key)."""
    (folder / FILE_LIST).unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest[FILE_LIST_KEY]
    manifest["format_version"] = 1
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    key_file = f"keys/{fingerprint(public)[:16]}.pem"
    pem = ed25519_pem(public)
    (folder / key_file).write_bytes(pem)
    manifest["files"].append({"name": key_file, "sha256": hashlib.sha256(pem).hexdigest(),
                              "bytes": len(pem)})
    manifest["exported_by"].update(public_key=b64(public), fingerprint=fingerprint(public),
                                   key_file=key_file, id=99, name="Stand-in Exporter")
    data = (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
    signature = key.sign(data)
    (folder / "manifest.json").write_bytes(data)
    (folder / "manifest.sig").write_bytes(signature)
    (folder / "SHA256SUMS").write_bytes(sums_text(manifest["files"], data, signature))


def test_verify_still_accepts_an_export_made_before_the_list_of_files(cli, bundle, tmp_path):
    old = copy_of(bundle, tmp_path, "old")
    as_made_before_the_list(old)
    result = verify_as_reviewer(cli, old)
    assert result.code == 0, result.out
    (old / FILE_LIST).write_text("")
    result = verify_as_reviewer(cli, old)
    assert result.code == 4
    assert f"{FILE_LIST} is not part of the export" in result.out


@pytest.mark.parametrize("change, expected", [
    (lambda folder: (folder / FILE_LIST).unlink(), f"{FILE_LIST} is missing"),
    (lambda folder: (folder / FILE_LIST).write_text(""), f"{FILE_LIST} was changed"),
], ids=["removed", "emptied"])
def test_verify_checks_the_list_of_files(cli, bundle, tmp_path, change, expected):
    assert (bundle / FILE_LIST).read_text().count("\n") == len(
        json.loads((bundle / "manifest.json").read_text())["files"])
    folder = copy_of(bundle, tmp_path, "listed")
    change(folder)
    result = cli("verify", str(folder), passphrase=None)
    assert result.code == 4
    assert expected in result.out


@pytest.mark.slow
def test_the_optional_digest_check_follows_sentences_left_out(cli, team, standard_tools,
                                                              tmp_path):
    session_id = record_session(cli, tmp_path, name="n.toml", answers=(
        f'team_issues = "Cover for {SECOND_CHILD}\'s transport is unresolved. '
        f'The rota is agreed."'))
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    out = tmp_path / "trimmed"
    assert cli("export", "review", "--child", FIRST_CHILD, "--out", str(out)).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    trimmed = [p for r in manifest["records"] for p in r["parts"] if p.get("trimmed")]
    assert trimmed, "the export left no sentence out: this test checks nothing"
    digest_check = next(c for c in readme_checks((out / "README.txt").read_text()) if c.optional)
    result = paste(digest_check, out, standard_tools, tmp_path)
    assert result.lines("PASS:") and not result.lines("FAIL"), result.out
    text = (out / "manifest.json").read_text()
    (out / "manifest.json").write_text(text.replace("The rota is agreed.", "The rota is late."))
    result = paste(digest_check, out, standard_tools, tmp_path)
    assert result.lines("FAIL:"), result.out
