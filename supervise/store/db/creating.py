"""A new store: its database (every migration), its key file with the first holder's slot, its
first audit event, policy, person and signing key. Written under a hidden name and renamed
into place, so a store is whole or not there."""

import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from supervise.domain.names import clean_name
from supervise.domain.records.canonical import iso_utc
from supervise.domain.text import clean_line
from supervise.errors import Hint, SuperviseError
from supervise.files import ensure_private_dir, fsync_path, temp_path_beside
from supervise.store.db import migrations
from supervise.store.db.backend import backend
from supervise.store.db.opening import Store
from supervise.store.db.store_paths import StorePaths
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event
from supervise.store.keys.key_file import KdfParams, KeyFile
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.people import add_person
from supervise.store.records.policies import set_policy

if TYPE_CHECKING:
    from supervise.domain.policy.organisation_policy import Policy


def check_new_store(db_path: Path, *, org: str, user: str, role: str) -> tuple[str, str, str]:
    """Refuse a path that holds a store already, and bad details, before anything is written or
    asked; returns the organisation, user and role as they will be stored."""
    for existing in (db_path, StorePaths(db_path).keys):
        if existing.exists():
            raise SuperviseError(f"{existing} already exists:", Hint.of("another_new_store"))
    return clean_line(org, "organisation name"), clean_name(user), clean_line(role, "role")


def create_store(db_path: Path, *, org: str, policy: "Policy", user: str, role: str,
                 passphrase: str, kdf: KdfParams, now: datetime,
                 demo: bool = False) -> tuple[Store, bytes]:
    """A new store whose first person is `user`: its first key holder and a supervisor.
    Returns it (open) and the database key."""

    org, user, role = check_new_store(db_path, org=org, user=user, role=role)
    paths = StorePaths(db_path)
    ensure_private_dir(paths.db.parent)
    db_key, store_id = os.urandom(32), uuid.uuid4().hex
    building = temp_path_beside(paths.db, "init")
    try:
        conn = backend.connect(building, db_key, create=True)
        try:
            migrations.migrate(conn, building, now)
            conn.executemany(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)",
                [("store_id", store_id), ("organisation", org), ("policy", policy.id),
                 ("created_at", iso_utc(now))],
            )
        finally:
            conn.close()
        keyfile = KeyFile.new(store_id, kdf)
        opened = keyfile.add_slot(user, passphrase, db_key)
        keyfile.save(paths.keys, db_key)
        os.replace(building, paths.db)
        fsync_path(paths.db.parent)
    finally:
        for leftover in (building, *(building.with_name(building.name + s) for s in ("-wal",
                                                                                     "-shm"))):
            leftover.unlink(missing_ok=True)
    store = Store(paths, db_key, store_id, user, keyfile, opened)
    with store.session() as session:
        append_event(Stamp(session, now, user), action="store.init",
                     detail={"policy": policy.id, "demo": demo})
        set_policy(Stamp(session, now, user), policy)
        person = add_person(Stamp(session, now, user), name=user, role=role,
                            is_supervisor=True, custodian=True)
        custodian_key(Stamp(session, now, user), person, opened.private_key)
    return store, db_key
