"""Where a store's files are, by the database file's path (opening.py describes each). Light to
import: the passphrase prompt comes after this, and before the database machinery."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StorePaths:
    db: Path

    @property
    def keys(self) -> Path:
        return self.db.with_name(self.db.name + ".keys")

    @property
    def failures(self) -> Path:
        return self.db.with_name(self.db.name + ".unlock-failures")

    @property
    def backups(self) -> Path:
        return self.db.with_name(self.db.name + ".backups")

    @property
    def unlocked(self) -> Path:
        return self.db.with_name(self.db.name + ".unlocked")
