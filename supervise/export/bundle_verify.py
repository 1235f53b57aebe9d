"""`supervise verify DIR` (SPEC §7): checks an export folder with no store and no passphrase.

Every file against the manifest, its list of files and SHA256SUMS (none missing, none added),
the manifest against the exporter's signature, each record's digest recomputed from its included
parts and the digests of the parts omitted, and each signature against its statement and public
key. Each key is tied to a person by what the folder holds: every key file holds the key named
for it, no key file goes unused, one key is never two people's, and the key that signed the
manifest is the one the exporter signed their own records here with. A folder that says
otherwise is refused; one whose exporter signed nothing here is tied by its manifest alone,
which `tied` says: the CLI then refuses it unless the reader gives the exporter's fingerprint
as the organisation told them (`confirmed`), which ties it."""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervise.domain.bundles.extract import recompute
from supervise.domain.records.signing import fingerprint, statement_bytes
from supervise.export.bundle import (
    FILE_LIST,
    FILE_LIST_KEY,
    FORMAT,
    FORMAT_VERSIONS,
    MANIFEST,
    MANIFEST_SIG,
    SEALS,
    SUMS,
    file_list_text,
    sums_text,
)
from supervise.files import sha256_file
from supervise.keycrypto import ed25519_pem, ed25519_valid, unb64


@dataclass
class BundleCheck:
    files: int = 0
    records: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)
    exporter: str = ""  # who signed the manifest, when, with which key: for the reader to confirm
    # Every key here by the person it is tied to, the exporter's first: (name, fingerprint,
    # what it did), for the reader to hold against the organisation's published fingerprints.
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    # Whether anything beyond the manifest ties the exporter's key to their name: the exporter's
    # own signatures on records here, made with the key that signed the manifest.
    tied: bool = False
    confirmed: str | None = None  # the exporter's fingerprint as the reader was given it
    uses: list["_Use"] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class _Use:
    """One use of a key in the folder: whose it is said to be, and for what."""

    fingerprint: str
    person: Any  # a person id, or None where the manifest gives none
    name: str
    what: str  # "exporter", "signer" or "witness"
    key_file: str


_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, RecursionError)
_OLD_SEALS = tuple(name for name in SEALS if name != FILE_LIST)


def _inventory(folder: Path, check: BundleCheck) -> dict[str, Path]:
    """Every regular file in the folder by its name there. Links and anything that is not a
    regular file (a pipe, a device) are problems, never followed or read."""
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                check.problems.append(f"{relative} is a link, which an export never holds")
            elif stat.S_ISREG(mode):
                found[relative] = path
            elif not stat.S_ISDIR(mode):
                check.problems.append(f"{relative} is not a regular file")
    return found


def verify_bundle(folder: Path, confirmed: str | None = None) -> BundleCheck:
    """`confirmed`: the exporter's key fingerprint as the organisation gave it to the reader,
    which ties the manifest's key to the exporter where nothing in the folder does."""
    check = BundleCheck()
    check.confirmed = _fingerprint(confirmed) if confirmed else None
    present = _inventory(folder, check)
    if MANIFEST not in present:
        check.problems.append(f"{MANIFEST} is missing: this is not an export folder, or it "
                              f"was removed")
        return check
    data = present[MANIFEST].read_bytes()
    try:
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError, RecursionError):
        check.problems.append(f"{MANIFEST} cannot be read as JSON: it was changed or damaged")
        return check
    signature = present[MANIFEST_SIG].read_bytes() if MANIFEST_SIG in present else None
    _manifest_signature(data, signature, manifest, check)
    version = manifest.get("format_version")
    if manifest.get("format") != FORMAT or version not in FORMAT_VERSIONS:
        check.problems.append(f"{MANIFEST} is not a supervise export of a known version "
                              f"(format {manifest.get('format')!r}, version {version!r}): it was "
                              f"changed, or a newer supervise made it")
        return check
    exported = manifest.get("exported_by")
    if isinstance(exported, dict):
        check.exporter = (f"Exported by {exported.get('name')} at {manifest.get('exported_at')} "
                          f"with key {exported.get('fingerprint')}")
    files = manifest.get("files")
    records = manifest.get("records")
    if not isinstance(files, list) or not isinstance(records, list):
        check.problems.append(f"{MANIFEST} has no list of files or records: it was changed")
        return check
    # An export made before the list of files existed (version 1) has none, and then a file of
    # that name in it is one added, like any other; from version 2 the list must be named.
    has_list = FILE_LIST_KEY in manifest or version >= 2
    listed = _files(present, files, SEALS if has_list else _OLD_SEALS, check)
    file_list = _file_list(present, listed, manifest.get(FILE_LIST_KEY), check) \
        if has_list else None
    _sums(present, listed, data, signature, file_list, check)
    digests: dict[tuple[str, int], str] = {}
    for entry in records:
        try:
            _record(present, entry, digests, check)
        except _MALFORMED:
            check.problems.append(f"{_name(entry)}: its manifest entry is malformed")
    try:
        _keys(present, {item["name"] for item in listed}, manifest, check)
    except _MALFORMED:
        unsaid = f"{MANIFEST} does not say who exported it, with which key"
        if unsaid not in check.problems:  # _manifest_signature may have said so
            check.problems.append(unsaid)
    return check


def _name(entry: Any) -> str:
    return str(entry.get("record")) if isinstance(entry, dict) else "a record"


def _manifest_signature(data: bytes, signature: bytes | None, manifest: dict,
                        check: BundleCheck) -> None:
    if signature is None:
        check.problems.append(f"{MANIFEST_SIG} is missing")
        return
    try:
        exporter = manifest["exported_by"]
        public = unb64(exporter["public_key"])
        if fingerprint(public) != exporter["fingerprint"]:
            check.problems.append("the exporter's key does not match its fingerprint in the "
                                  "manifest")
        elif not ed25519_valid(public, signature, data):
            check.problems.append(f"{MANIFEST} does not match the exporter's signature "
                                  f"({MANIFEST_SIG}): it was changed after export")
    except _MALFORMED:
        check.problems.append(f"{MANIFEST} does not say who exported it, with which key")


def _files(present: dict[str, Path], files: list, seals: tuple[str, ...],
           check: BundleCheck) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for item in files:
        try:
            listed.append({"name": str(item["name"]), "sha256": str(item["sha256"])})
        except _MALFORMED:
            check.problems.append(f"{MANIFEST} has a malformed file entry")
    names = {item["name"] for item in listed}
    for item in listed:
        name = item["name"]
        if name not in present:
            check.problems.append(f"{name} is missing")
        elif sha256_file(present[name]) != item["sha256"]:
            check.problems.append(f"{name} was changed: its SHA-256 does not match the manifest")
        else:
            check.files += 1
    for name in sorted(set(present) - names - set(seals)):
        check.problems.append(f"{name} is not part of the export (added after it was made)")
    return listed


def _file_list(present: dict[str, Path], listed: list[dict[str, Any]], named: Any,
               check: BundleCheck) -> bytes:
    """The list of files as the manifest makes it; a problem unless the folder's is that list,
    with the SHA-256 the manifest names."""
    expected = file_list_text(listed)
    if named is None:
        check.problems.append(f"{MANIFEST} names no list of files ({FILE_LIST}): it was changed")
    elif FILE_LIST not in present:
        check.problems.append(f"{FILE_LIST} is missing")
    elif sha256_file(present[FILE_LIST]) != named:
        check.problems.append(f"{FILE_LIST} was changed: its SHA-256 is not the one the "
                              f"manifest names")
    elif present[FILE_LIST].read_bytes() != expected:
        check.problems.append(f"{FILE_LIST} does not list the manifest's files")
    return expected


def _sums(present: dict[str, Path], listed: list[dict[str, Any]], manifest: bytes,
          signature: bytes | None, file_list: bytes | None, check: BundleCheck) -> None:
    if SUMS not in present:
        check.problems.append(f"{SUMS} is missing")
    elif signature is not None and \
            present[SUMS].read_bytes() != sums_text(listed, manifest, signature, file_list):
        check.problems.append(f"{SUMS} was changed: it does not match the manifest byte for "
                              f"byte")


def _record(present: dict[str, Path], entry: dict, digests: dict[tuple[str, int], str],
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
        for problem in _signature(present, entry, sig, check):
            check.problems.append(f"{who} {problem}")


def _signature(present: dict[str, Path], entry: dict, sig: dict,
               check: BundleCheck) -> list[str]:
    public = unb64(sig["public_key"])
    if sig["digest"] != entry["digest"]:
        return ["was made over different content"]
    if fingerprint(public) != sig["fingerprint"]:
        return ["names a key that is not its own"]
    # a typed name is signed with its witness's key: the key is the witness's
    by_key = sig["method"] == "key"
    holder = (sig.get("signer_id"), sig["signer_name"]) if by_key else \
        (sig.get("witness_id"), sig.get("witness_name"))
    check.uses.append(_Use(sig["fingerprint"], holder[0], str(holder[1]),
                           "signer" if by_key else "witness", str(sig["key_file"])))
    signed = statement_bytes(entry["type"], entry["id"], entry["digest"], sig["fingerprint"],
                             sig)
    problems = []
    raw = unb64(sig["signature"])
    if not ed25519_valid(public, raw, signed):
        problems.append("does not verify with its public key")
    for name, expected in ((sig["statement_file"], signed), (sig["signature_file"], raw),
                           (sig["key_file"], ed25519_pem(public))):
        path = present.get(name)
        if path is not None and path.read_bytes() != expected:
            problems.append(f"does not match {name}")
    return problems


def _short(key: str) -> str:
    return f"{key[:16]}…"


def _same_person(use: _Use, other: _Use) -> bool:
    """By id where both have one (a name corrected since keeps its signatures' names)."""
    if use.person is not None and other.person is not None:
        return bool(use.person == other.person)
    return use.name.casefold() == other.name.casefold()


def _exporters(exporter: _Use, use: _Use) -> bool:
    """A use of the exporter's, by id or by name (a manifest whose id was changed keeps them)."""
    return _same_person(exporter, use) or use.name.casefold() == exporter.name.casefold()


def _fingerprint(text: str) -> str:
    """A fingerprint as people copy it: any case, spaces or colons between the pairs."""
    return "".join(ch for ch in text.lower() if ch not in " :-\t")


def _keys(present: dict[str, Path], listed: set[str], manifest: dict,
          check: BundleCheck) -> None:
    """Each key tied to one person, and the exporter's to the exporter (see the module's
    docstring); `check.keys` lists them, the exporter's first."""
    exported = manifest["exported_by"]
    exporter = _Use(str(exported["fingerprint"]), exported.get("id"), str(exported["name"]),
                    "exporter", str(exported["key_file"]))
    public = unb64(exported["public_key"])
    named = present.get(exporter.key_file)
    if named is None:
        if exporter.key_file not in listed:  # a listed file missing is already a problem
            check.problems.append(f"{exporter.key_file}, the exporter's key, is missing")
    elif named.read_bytes() != ed25519_pem(public):
        check.problems.append(
            f"{exporter.key_file}, which the manifest names as {exporter.name}'s key, holds "
            f"another key than the one that signed {MANIFEST}: it was signed again by someone "
            f"else")
    people = manifest.get("people")
    known = people.get(str(exporter.person)) if isinstance(people, dict) else None
    if known is not None and str(known).casefold() != exporter.name.casefold():
        check.problems.append(f"{MANIFEST} names its exporter {exporter.name}, but person "
                              f"{exporter.person} in its records is {known}")
    uses = [exporter, *check.uses]
    for key in sorted({u.fingerprint for u in uses}):
        holders = [u for u in uses if u.fingerprint == key]
        if any(not _same_person(holders[0], u) for u in holders[1:]):
            names = sorted({u.name for u in holders})
            check.problems.append(f"key {_short(key)} is used here as the key of "
                                  f"{' and of '.join(names)}: one key is one person's")
    theirs = [u for u in check.uses if _exporters(exporter, u)]
    own = {u.fingerprint for u in theirs}
    if check.confirmed is not None and check.confirmed != _fingerprint(exporter.fingerprint):
        check.problems.append(
            f"{MANIFEST} is signed with key {_short(exporter.fingerprint)}, not with the key "
            f"{_short(check.confirmed)} given as {exporter.name}'s: it was signed by someone "
            f"else")
    elif check.confirmed is not None:
        own.add(exporter.fingerprint)  # the organisation vouches for it: a replaced key too
    if own and exporter.fingerprint not in own:
        check.problems.append(
            f"{MANIFEST} is signed with key {_short(exporter.fingerprint)} as "
            f"{exporter.name}'s, but {exporter.name} signed records here with key "
            f"{', '.join(_short(k) for k in sorted(own))}: it was signed again with another "
            f"key (or {exporter.name}'s key was replaced since; ask the organisation)")
    check.tied = exporter.fingerprint in own
    used = {u.key_file for u in uses}
    for name in sorted(n for n in listed if n.startswith("keys/") and n not in used):
        check.problems.append(f"{name} is a key that neither the exporter nor any signature "
                              f"here uses: the manifest was signed again with another key, or "
                              f"changed")
    check.keys = _listing(exporter, check.uses)


def _listing(exporter: _Use, uses: list[_Use]) -> list[tuple[str, str, str]]:
    rows: dict[tuple[str, str], list[str]] = {}
    order = [exporter, *sorted(uses, key=lambda u: (u.name.casefold(), u.fingerprint))]
    for use in order:
        rows.setdefault((use.name, use.fingerprint), []).append(use.what)
    listing = []
    for (name, key), whats in rows.items():
        said = []
        if "exporter" in whats:
            said.append("signed the manifest")
        for what, words in (("signer", "signed {} on a record"),
                            ("witness", "witnessed {} by typed name")):
            count = whats.count(what)
            if count:
                said.append(words.format("once" if count == 1 else f"{count} times"))
        listing.append((name, key, ", ".join(said)))
    return listing
