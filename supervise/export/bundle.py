"""Writing an export folder (SPEC §7): one DOCX per record, the index, each signer's public key,
each signature with the exact statement it signs, `manifest.json` signed by the exporter,
`SHA256SUMS` and a README saying how to check it all with or without our tool.

Files are created 0600 in a folder 0700, named from record ids and dates only."""

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervise.domain.document import Document, RecordFile
from supervise.errors import Hint, UsageError
from supervise.export.docx_writer import render
from supervise.export.readme import readme_text
from supervise.files import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    atomic_write,
    fsync_path,
    temp_path_beside,
)
from supervise.keycrypto import ed25519_pem

MANIFEST, MANIFEST_SIG, SUMS, README, INDEX = ("manifest.json", "manifest.sig", "SHA256SUMS",
                                               "README.txt", "00-index.docx")
# The manifest's list of files as `sha256sum` writes it, named by its SHA-256 in the manifest:
# with it, coreutils alone can hold SHA256SUMS and the folder against what the exporter signed.
FILE_LIST, FILE_LIST_KEY = "manifest-files.sha256", "file_list_sha256"
# Version 2: the manifest names its list of files (FILE_LIST_KEY) and records may be digested
# sentence by sentence (canonical version 2). Version 1 bundles had neither; both verify.
FORMAT, FORMAT_VERSION, FORMAT_VERSIONS = "supervise-export", 2, (1, 2)
SEALS = (MANIFEST, MANIFEST_SIG, SUMS, FILE_LIST)  # what the manifest cannot list: its seals
_RAW = ("statement_bytes", "signature_bytes", "public_raw")


@dataclass
class Written:
    folder: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    manifest_sha256: str = ""


def check_folder(folder: Path) -> None:
    """Refuse, before any work, a folder that is a file, a link or holds anything."""
    if folder.is_symlink():
        raise UsageError(f"{folder} is a link:", Hint.of("new_out_folder"))
    if not folder.parent.is_dir():
        raise UsageError(f"The folder {folder.parent} does not exist:",
                         Hint.of("create_folder_or_another_out"))
    if folder.exists():
        if not folder.is_dir():
            raise UsageError(f"{folder} is a file:", Hint.of("new_out_folder"))
        if any(folder.iterdir()):
            raise UsageError(f"{folder} is not empty:", Hint.of("empty_out_folder"))


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=PRIVATE_DIR)
    os.chmod(folder, PRIVATE_DIR)  # whatever the umask
    for sub in ("keys", "signatures"):
        (folder / sub).mkdir(mode=PRIVATE_DIR)
        os.chmod(folder / sub, PRIVATE_DIR)


def _write_new(path: Path, data: bytes) -> None:
    """A new private file; fails if it exists. Not synced one by one: `_durable` puts the whole
    folder on disk before it is renamed into place."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _durable(folder: Path, names: list[str]) -> None:
    """Every file written on disk. fsync waits on the disk, and one after another a thousand
    of them (one per signature file) took seconds; on threads the filesystem commits them
    together (1,000 files: 2.0 s one by one, 0.2 s on 16 threads, here)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(fsync_path, (folder / name for name in names)))
    for sub in (folder / "keys", folder / "signatures", folder):
        fsync_path(sub)


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.written = Written(folder)
        self.names: set[str] = set()

    def put(self, name: str, data: bytes) -> None:
        if name in self.names:
            return  # a key or statement shared by several records is written once
        _write_new(self.written.folder / name, data)
        self.names.add(name)
        self.written.files.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(),
                                   "bytes": len(data)})


def write_bundle(folder: Path, records: list[RecordFile], index: Document,
                 manifest: dict[str, Any], *, sign: Callable[[bytes], bytes],
                 exporter_public: bytes, progress: Callable[[], None] = lambda: None) -> Written:
    """Write the whole folder, or nothing: it is built under a hidden temporary name beside
    `folder` and renamed into place when complete (a failure removes it). `manifest` arrives
    without its records and files, which are filled in from what was written."""
    check_folder(folder)
    building = temp_path_beside(folder, "export")
    _private_folder(building)
    try:
        written = _write(building, records, index, manifest, sign=sign,
                         exporter_public=exporter_public, progress=progress)
        os.rename(building, folder)  # replaces an empty folder; refuses anything else
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    fsync_path(folder.parent)
    written.folder = folder
    return written


def _write(folder: Path, records: list[RecordFile], index: Document, manifest: dict[str, Any],
           *, sign: Callable[[bytes], bytes], exporter_public: bytes,
           progress: Callable[[], None]) -> Written:
    writer = _Writer(folder)
    writer.put(INDEX, render(index))
    progress()
    entries = []
    for record in records:
        writer.put(record.name, render(record.document))
        for entry in record.entries:
            entries.append(_seal_entry(writer, entry))
        progress()
    exporter = manifest["exported_by"]
    writer.put(exporter["key_file"], ed25519_pem(exporter_public))
    manifest = {**manifest, "records": entries}
    writer.put(README, readme_text(manifest, FILE_LIST).encode("utf-8"))
    file_list = file_list_text(writer.written.files)
    _write_new(folder / FILE_LIST, file_list)
    manifest = {**manifest, "format": FORMAT, "format_version": FORMAT_VERSION,
                "files": writer.written.files,
                FILE_LIST_KEY: hashlib.sha256(file_list).hexdigest()}
    data = (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
    _write_new(folder / MANIFEST, data)
    signature = sign(data)
    _write_new(folder / MANIFEST_SIG, signature)
    writer.written.manifest_sha256 = hashlib.sha256(data).hexdigest()
    _write_new(folder / SUMS, sums_text(writer.written.files, data, signature, file_list))
    _durable(folder, [f["name"] for f in writer.written.files] + list(SEALS))
    return writer.written


def file_list_text(files: list[dict[str, Any]]) -> bytes:
    """The manifest's files, in its order, as `sha256sum` writes them (`sha256sum -c` reads it)."""
    return "".join(f"{f['sha256']}  {f['name']}\n" for f in files).encode()


def sums_text(files: list[dict[str, Any]], manifest: bytes, signature: bytes,
              file_list: bytes | None = None) -> bytes:
    """SHA256SUMS exactly as `sha256sum` writes it, in name order: `verify` rebuilds it from the
    manifest and compares byte for byte. An export made before the list of files had none."""
    sums = [(f["sha256"], f["name"]) for f in files]
    sums += [(hashlib.sha256(manifest).hexdigest(), MANIFEST),
             (hashlib.sha256(signature).hexdigest(), MANIFEST_SIG)]
    if file_list is not None:
        sums.append((hashlib.sha256(file_list).hexdigest(), FILE_LIST))
    return "".join(f"{h}  {n}\n" for h, n in sorted(sums, key=lambda pair: pair[1])).encode()


def _seal_entry(writer: _Writer, entry: dict[str, Any]) -> dict[str, Any]:
    """A manifest entry with its signatures' files written beside it."""
    signatures = []
    for sig in entry["signatures"]:
        if sig["key_file"] not in writer.names:  # one signer's key serves all their records
            writer.put(sig["key_file"], ed25519_pem(sig["public_raw"]))
        writer.put(sig["statement_file"], sig["statement_bytes"])
        writer.put(sig["signature_file"], sig["signature_bytes"])
        signatures.append({k: v for k, v in sig.items() if k not in _RAW})
    return {**entry, "signatures": signatures}


def write_single(path: Path, document: Document, *, force: bool,
                 taken: Hint = Hint.of("another_out_or_force"),
                 no_folder: Hint = Hint.of("create_folder_or_another_out")) -> str:
    """One record's DOCX at `path` (0600), refusing to replace a file unless `force`; returns
    its SHA-256. `taken` and `no_folder` say how to give another path (`--out` by default)."""
    data = render(document)
    if path.exists() and not force:
        raise UsageError(f"{path} exists:", taken)
    if path.parent and not path.parent.is_dir():
        raise UsageError(f"The folder {path.parent} does not exist:", no_folder)
    atomic_write(path, data)
    return hashlib.sha256(data).hexdigest()
