"""Private files: created 0600 (folders 0700), written atomically with fsync."""

import os
import secrets
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> None:
    if not path.exists():
        path.mkdir(mode=PRIVATE_DIR, parents=True)


def create_private_file(path: Path) -> None:
    """Create an empty file that only its owner can read; fail if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(fd)


def temp_path_beside(path: Path, purpose: str) -> Path:
    """A hidden temporary name in the same folder (so a rename is atomic); never a user's name."""
    return path.with_name(f".{path.name}.{purpose}-{secrets.token_hex(6)}")


def fsync_path(path: Path) -> None:
    """A file's data, or a folder's entries (after a rename or a new file), on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """A file's SHA-256 in hex, read a megabyte at a time."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_new(path: Path, data: bytes) -> None:
    """A new private file holding `data`, on disk before this returns; fails if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: a crash leaves the old file or the new one, never a mix."""
    tmp = temp_path_beside(path, "write")
    try:
        write_new(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def append_private(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
