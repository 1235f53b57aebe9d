"""Private files: created 0600 (folders 0700), written atomically with fsync."""

import os
import secrets
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class NotARegularFile(OSError):
    """A path that names a folder, a named pipe, a device or a socket where a file was wanted."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a regular file")
        self.path = path
        self.kind = kind


def _not_regular(mode: int) -> str | None:
    """What a file of this mode is, if it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def read_regular(path: Path) -> bytes:
    """A regular file's bytes. Anything else is refused (`NotARegularFile`) before it is read: a
    named pipe with no writer would wait for ever, a device would never end. Checked before the
    open and again on what was opened (non-blocking, so opening a pipe cannot wait either)."""
    kind = _not_regular(os.stat(path).st_mode)
    if kind:
        raise NotARegularFile(path, kind)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise NotARegularFile(path, kind)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


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
    """One line added to a notes file, on disk before this returns. Taken under the file's lock
    (`take_lines`): a note added while another process takes the notes in is never lost."""
    import fcntl

    while True:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink == 0:
                continue  # taken in and removed while this waited: add to the next one
            os.write(fd, line)
            os.fsync(fd)
            return
        finally:
            os.close(fd)


class TakenLines:
    """The lines of a notes file, held under its lock until `release`; `remove` deletes the
    file first (once what they said is safely kept elsewhere)."""

    def __init__(self, path: Path) -> None:
        import fcntl

        self.path = path
        self.lines: list[str] = []
        self._fd: int | None = None
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                with os.fdopen(os.dup(fd), "rb") as handle:
                    self.lines = handle.read().decode("utf-8", "replace").splitlines()
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def remove(self) -> None:
        if self._fd is None:
            return
        try:
            same = os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            return
        if same:  # never a newer file that another process began
            self.path.unlink()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def take_lines(path: Path) -> TakenLines:
    return TakenLines(path)


LOW_SPACE = 1 << 20  # below this, SQLite cannot grow its log or shared memory on most disks


def no_space_left(path: Path, below: int = LOW_SPACE) -> bool:
    """Whether the disk holding `path` (or its nearest existing folder) has less than `below`
    bytes free for us: then an I/O error writing there is the disk being full, not damage."""
    folder = path
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        found = os.statvfs(folder)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize < below
