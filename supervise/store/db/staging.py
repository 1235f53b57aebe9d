"""Files staged beside the store, and a restore's swap made crash-atomic.

A restore replaces two files, the key file and the database, and no rename does both. So the
swap is written down first: once the intent file names the two staged files, the restore has
happened, and whichever command opens the store next finishes the renames (`finish_swap`).
Killed before the intent is on disk, nothing was replaced; killed after, the next command
completes it. Either way the key file and the database beside it belong together.

Staging files a crash left behind (hidden, named `.STORE.<purpose>-<random>`) hold encrypted
copies of the store or its key file; `leftovers` finds them so doctor can say so, and those
older than a day are removed when the store is next opened.
"""

import json
import os
from datetime import datetime
from pathlib import Path

from supervise.files import atomic_write, fsync_path
from supervise.store.db.store_paths import StorePaths

STAGING_PURPOSES = ("restore-db", "restore-keys", "rotate", "init", "write", "keys-before")
STALE_AFTER_S = 24 * 3600


def intent_path(paths: StorePaths) -> Path:
    return paths.db.with_name(paths.db.name + ".restore-pending")


def begin_swap(paths: StorePaths, staged_db: Path, staged_keys: Path) -> None:
    """The commit point of a restore: from here on the staged files are the store."""
    fsync_path(staged_db)
    fsync_path(staged_keys)
    fsync_path(paths.db.parent)
    atomic_write(intent_path(paths), json.dumps(
        {"db": staged_db.name, "keys": staged_keys.name}).encode())


def finish_swap(paths: StorePaths) -> bool:
    """Complete a restore whose renames were cut short; True if there was one. Each step can be
    repeated, so a crash in here is finished by the next call."""
    intent = intent_path(paths)
    try:
        named = json.loads(intent.read_text())
        staged_db = paths.db.with_name(Path(str(named["db"])).name)
        staged_keys = paths.db.with_name(Path(str(named["keys"])).name)
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        intent.unlink(missing_ok=True)  # written atomically, so never torn: not ours
        return False
    if staged_db.exists():
        # The replaced store's log must never be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            paths.db.with_name(paths.db.name + suffix).unlink(missing_ok=True)
    if staged_keys.exists():
        os.replace(staged_keys, paths.keys)
    if staged_db.exists():
        os.replace(staged_db, paths.db)
    fsync_path(paths.db.parent)
    intent.unlink()
    fsync_path(paths.db.parent)
    return True


def swap_pending(paths: StorePaths) -> bool:
    return intent_path(paths).exists()


def leftovers(paths: StorePaths) -> list[Path]:
    """Staging files beside the store that no swap in progress names, oldest first."""
    named: set[str] = set()
    try:
        named = set(json.loads(intent_path(paths).read_text()).values())
    except (OSError, ValueError, AttributeError):
        pass
    found = []
    for base in (paths.db.name, paths.keys.name, intent_path(paths).name):
        for purpose in STAGING_PURPOSES:
            found += [p for p in paths.db.parent.glob(f".{base}.{purpose}-*")
                      if p.name not in named and p.is_file()]
    found += [p for p in paths.backups.glob(".*.keep-*") if p.is_file()]  # restore.py
    return sorted(set(found), key=lambda p: p.stat().st_mtime)


def remove_stale(paths: StorePaths, now: datetime) -> list[Path]:
    """Remove staging files older than a day (no command runs that long); the ones removed."""
    removed = []
    cutoff = now.timestamp() - STALE_AFTER_S
    for path in leftovers(paths):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
