"""The paths that need no ORM (store/db/reading.py): the unlock every command begins with,
`person list`, read in plain SQL. They must give what the ORM gives, and load none of it."""

import json
import os
import subprocess
import sys

from supervise import clock
from supervise.app.staff import list_people
from supervise.demo.trust import PASSPHRASE as DEMO_PASSPHRASE
from supervise.store.db.migrations import latest_version
from supervise.store.db.opening import unlock_store
from supervise.store.db.schema_version import LATEST
from supervise.store.keys.anchor import RECORD_TABLES
from supervise.store.records import people
from supervise.store.records.numbered import MODELS
from tests.helpers import PASSPHRASE


def test_the_plain_sql_staff_list_is_the_orm_s_row_for_row(demo_store):
    with unlock_store(demo_store, passphrase=lambda: DEMO_PASSPHRASE, user=None,
                      now=clock.now()) as store:
        for include_left in (True, False):
            with store.session() as session:
                expected = [people.person_row(p) for p in
                            people.list_people(session, include_left=include_left)]
            assert list_people(store, include_left=include_left) == expected
        assert any(row["status"] == "left" for row in list_people(store, include_left=True))


def test_the_light_modules_know_what_the_migrations_and_models_say():
    assert LATEST == latest_version()
    assert RECORD_TABLES == {kind: model.__tablename__ for kind, model in MODELS.items()}


def test_person_list_loads_no_orm_and_no_document_writer(store):
    probe = ("import json, sys; from supervise.cli.main import main; code = main(['person', "
             "'list', '--json']); print(json.dumps([code, sorted(sys.modules)]))")
    env = {**os.environ, "SUPERVISE_STORE": str(store), "SUPERVISE_PASSPHRASE": PASSPHRASE}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, check=True)
    code, modules = json.loads(done.stdout.splitlines()[-1])
    assert code == 0 and '"Jordan Example"' in done.stdout
    heavy = [m for m in modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "docx")]
    assert heavy == []
    # and a command that writes does load the ORM, so the probe can tell
    probe = probe.replace("'person', 'list', '--json'", "'person', 'add', 'Al Ng', '--role', 'T'")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, check=True)
    code, modules = json.loads(done.stdout.splitlines()[-1])
    assert code == 0 and "sqlmodel" in modules



def test_the_threaded_argon2id_gives_the_bytes_every_argon2id_gives():
    """Key files made before (by cryptography's Argon2id) open as they did."""
    import os
    import unicodedata

    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    from supervise import keycrypto
    from supervise.store.keys.key_file import KDF_PROFILES

    for params in KDF_PROFILES.values():
        salt = os.urandom(16)
        for passphrase in ("correct horse", "Ami\u0301e \u00e9t\u00e9 \u2603"):
            nfc = unicodedata.normalize("NFC", passphrase).encode()
            expected = Argon2id(salt=salt, length=32, iterations=params.iterations,
                                lanes=params.lanes, memory_cost=params.memory_kib).derive(nfc)
            assert keycrypto.derive_kek(passphrase, params, salt) == expected
