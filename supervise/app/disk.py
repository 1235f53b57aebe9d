"""Whether a failure was the disk being full: asked by the CLI's one exit point about an error
that reached it unnamed (an I/O error from deep in SQLite while a store was being made or
replaced), so that a full disk is never reported as damage or as an unexpected error."""

from pathlib import Path

from supervise.errors import disk_full
from supervise.files import no_space_left

IO_ERRORS = ("disk I/O error",)  # SQLITE_IOERR: what SQLite says when the shared memory or log
# cannot grow


def full_disk_behind(error: BaseException, store: Path) -> bool:
    """`error` is the disk being full: said so by the error itself, or an I/O error while the
    disk holding `store` has (next to) no space left."""
    if disk_full(error):
        return True
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if any(marker in str(current) for marker in IO_ERRORS) or (
                isinstance(current, OSError) and current.errno == 5):
            return no_space_left(store)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
