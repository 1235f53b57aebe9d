"""What is checked before the store passphrase is asked for, importing nothing heavy, so the
prompt appears at once: the database machinery loads while the user types."""

from pathlib import Path

from supervise.errors import SuperviseError
from supervise.store.db.backend import backend
from supervise.store.db.store_paths import StorePaths
from supervise.store.keys.key_file import load_keyfile


def ready_for_passphrase(path: Path, *, user: str | None, session_key: str | None) -> bool:
    """True when the store's files check out and a passphrase is what will open it: the file is
    a store, its key file reads, and it names whose slot to open. False otherwise (an unlocked
    session will open it, or opening will fail and say why without asking anything)."""
    paths = StorePaths(path)
    if session_key and paths.unlocked.exists():
        return False
    try:
        backend.check_store_file(paths.db)
        keyfile = load_keyfile(paths.keys)
    except (SuperviseError, OSError):
        return False
    return keyfile.chosen_slot(user) is not None
