"""`supervise verify DIR` (SPEC §7): checks an export folder with no store and no passphrase.

Every file against the manifest and SHA256SUMS (none missing, none added), the manifest against
the exporter's signature, each record's digest recomputed from its included parts and the digests
of the parts omitted, and each signature against its statement and public key."""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervise.domain.canonical import canonical_json
from supervise.domain.extract import recompute
from supervise.domain.signing import fingerprint, statement
from supervise.export.bundle import MANIFEST, MANIFEST_SIG, SEALS, SUMS
from supervise.keycrypto import ed25519_valid, unb64


@dataclass
class BundleCheck:
    files: int = 0
    records: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)
    exporter: str = ""  # who signed the manifest, when, with which key: for the reader to confirm


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_bundle(folder: Path) -> BundleCheck:
    check = BundleCheck()
    try:
        data = (folder / MANIFEST).read_bytes()
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError
    except FileNotFoundError:
        check.problems.append(f"{MANIFEST} is missing: this is not an export folder, or it "
                              f"was removed")
        return check
    except (ValueError, UnicodeDecodeError):
        check.problems.append(f"{MANIFEST} cannot be read as JSON: it was changed or damaged")
        return check
    _manifest_signature(folder, data, manifest, check)
    exported = manifest.get("exported_by")
    if isinstance(exported, dict):
        check.exporter = (f"Exported by {exported.get('name')} at {manifest.get('exported_at')} "
                          f"with key {exported.get('fingerprint')}")
    listed = _files(folder, manifest, check)
    _sums(folder, listed, check)
    digests: dict[tuple[str, int], str] = {}
    for entry in manifest.get("records") or []:
        try:
            _record(folder, entry, digests, check)
        except (KeyError, TypeError, ValueError, AttributeError):
            check.problems.append(f"{_name(entry)}: its manifest entry is malformed")
    return check


def _name(entry: Any) -> str:
    return str(entry.get("record")) if isinstance(entry, dict) else "a record"


def _manifest_signature(folder: Path, data: bytes, manifest: dict, check: BundleCheck) -> None:
    try:
        exporter = manifest["exported_by"]
        public = unb64(exporter["public_key"])
        signature = (folder / MANIFEST_SIG).read_bytes()
        if fingerprint(public) != exporter["fingerprint"]:
            check.problems.append("the exporter's key does not match its fingerprint in the "
                                  "manifest")
        elif not ed25519_valid(public, signature, data):
            check.problems.append(f"{MANIFEST} does not match the exporter's signature "
                                  f"({MANIFEST_SIG}): it was changed after export")
    except FileNotFoundError:
        check.problems.append(f"{MANIFEST_SIG} is missing")
    except (KeyError, TypeError, ValueError):
        check.problems.append(f"{MANIFEST} does not say who exported it, with which key")


def _files(folder: Path, manifest: dict, check: BundleCheck) -> dict[str, str]:
    listed = {}
    for item in manifest.get("files") or []:
        try:
            listed[str(item["name"])] = str(item["sha256"])
        except (KeyError, TypeError):
            check.problems.append(f"{MANIFEST} has a malformed file entry")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for name, expected in sorted(listed.items()):
        if name not in present:
            check.problems.append(f"{name} is missing")
        elif _sha256(folder / name) != expected:
            check.problems.append(f"{name} was changed: its SHA-256 does not match the manifest")
        else:
            check.files += 1
    for name in sorted(present - set(listed) - set(SEALS)):
        check.problems.append(f"{name} is not part of the export (added after it was made)")
    return listed


def _sums(folder: Path, listed: dict[str, str], check: BundleCheck) -> None:
    try:
        lines = (folder / SUMS).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        check.problems.append(f"{SUMS} is missing")
        return
    except UnicodeDecodeError:
        check.problems.append(f"{SUMS} was changed: it is not text")
        return
    sums = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        sums[name] = digest
    expected = dict(listed)
    for name in (MANIFEST, MANIFEST_SIG):
        if (folder / name).is_file():
            expected[name] = _sha256(folder / name)
    if sums != expected:
        check.problems.append(f"{SUMS} does not match the files of the export")


def _record(folder: Path, entry: dict, digests: dict[tuple[str, int], str],
            check: BundleCheck) -> None:
    name = _name(entry)
    check.records += 1
    computed, problems = recompute(entry["header"], entry["parts"])
    check.problems.extend(f"{name}: {p}" for p in problems)
    if computed != entry["digest"]:
        check.problems.append(f"{name}: its digest does not match its content")
    digests[(entry["type"], entry["id"])] = entry["digest"]
    amends = entry["header"].get("amends") if entry["type"] == "amendment" else None
    if amends and digests.get((amends["type"], amends["id"]), amends["digest"]) \
            != amends["digest"]:
        check.problems.append(f"{name}: it does not amend the record as exported")
    for number, sig in enumerate(entry["signatures"], start=1):
        check.signatures += 1
        who = f"{name}: signature {number} ({sig['signer_name']}, {sig['role']})"
        for problem in _signature(folder, entry, sig):
            check.problems.append(f"{who} {problem}")


def _signature(folder: Path, entry: dict, sig: dict) -> list[str]:
    public = unb64(sig["public_key"])
    if sig["digest"] != entry["digest"]:
        return ["was made over different content"]
    if fingerprint(public) != sig["fingerprint"]:
        return ["names a key that is not its own"]
    signed = canonical_json(statement(
        record_type=entry["type"], record_id=entry["id"], digest=entry["digest"],
        signer_id=sig["signer_id"], signer_name=sig["signer_name"], role=sig["role"],
        method=sig["method"], signed_at=sig["signed_at"], comment=sig["comment"],
        witness_id=sig["witness_id"], witness_name=sig["witness_name"],
        key=sig["fingerprint"]))
    problems = []
    raw = unb64(sig["signature"])
    if not ed25519_valid(public, raw, signed):
        problems.append("does not verify with its public key")
    for name, expected in ((sig["statement_file"], signed), (sig["signature_file"], raw)):
        path = _inside(folder, name)
        if path is not None and path.is_file() and path.read_bytes() != expected:
            problems.append(f"does not match {name}")
    return problems


def _inside(folder: Path, name: str) -> Path | None:
    """`name` within the folder, or None for a name that points outside it."""
    path = (folder / name).resolve()
    return path if path.is_relative_to(folder.resolve()) else None
