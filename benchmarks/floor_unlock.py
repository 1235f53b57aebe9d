"""The floor under a store command: Python's start-up, one Argon2id derivation with the store's
own slot parameters, unwrapping the slot to the database key, opening the file with SQLCipher and
one query of the people table. Nothing from `supervise` is imported: only the standard library,
`cryptography` and `sqlcipher3`, doing what store/keys/key_file.py (`KeyFile.open_slot`) and
keycrypto.py do (the slot-list MAC check, microseconds, is left out: it unwraps nothing).

    SUPERVISE_PASSPHRASE=… .venv/bin/python benchmarks/floor_unlock.py STORE [--user NAME]
                                                                          [--expect N]

Prints how many people the query returned; exit 1 if the key does not open the file, or if
`--expect` is given and the count differs.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import unicodedata
from pathlib import Path

FORMAT = "supervise-keys"
SEALED_INFO = b"supervise sealed database key v1"
PEOPLE = "SELECT id, name, role, left_date, is_supervisor FROM person ORDER BY name_key"


def _b(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _open_box(key: bytes, box: dict, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).decrypt(_b(box["nonce"]), _b(box["ciphertext"]), aad)


def _slot(document: dict, user: str | None) -> dict:
    slots = document["slots"]
    if user is None:
        if len(slots) != 1:
            raise SystemExit("the store has several key slots: give --user")
        return slots[0]
    key = " ".join(unicodedata.normalize("NFC", user).split()).casefold()
    wanted = hmac.new(_b(document["name_salt"]), key.encode("utf-8"), hashlib.sha256).hexdigest()
    for slot in slots:
        if slot["id"] == wanted:
            return slot
    raise SystemExit(f"no key slot for {user}")


def database_key(store: Path, passphrase: str, user: str | None = None) -> bytes:
    """The database key, from the key file beside `store`, as the store unwraps it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    document = json.loads(store.with_name(store.name + ".keys").read_bytes())
    if document["format"] != FORMAT:
        raise SystemExit("not a supervise key file")
    slot = _slot(document, user)
    aad = f"{FORMAT}/{document['store_id']}/{slot['id']}".encode()
    kdf = slot["kdf"]
    kek = Argon2id(salt=_b(kdf["salt"]), length=32, iterations=int(kdf["iterations"]),
                   lanes=int(kdf["lanes"]), memory_cost=int(kdf["memory_kib"])).derive(
        unicodedata.normalize("NFC", passphrase).encode("utf-8"))
    private_raw = _b(json.loads(_open_box(kek, slot["private"], aad))["x25519"])
    private = X25519PrivateKey.from_private_bytes(private_raw)
    sealed = slot["sealed_key"]
    ephemeral = _b(sealed["ephemeral"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    own_public = private.public_key().public_bytes_raw()
    box_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=SEALED_INFO + ephemeral + own_public).derive(shared)
    return _open_box(box_key, sealed, aad)


def connect(store: Path, key: bytes, *, cache_kib: int | None = None):
    """A read-only SQLCipher connection keyed with the raw key (as store/db/sqlcipher.py keys)."""
    from urllib.parse import quote

    import sqlcipher3.dbapi2 as dbapi

    conn = dbapi.connect(f"file:{quote(str(store))}?mode=ro", uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    if cache_kib:
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
    return conn


def people(store: Path, passphrase: str, user: str | None = None) -> list[tuple]:
    """Unlock and run the one query; the people table's rows."""
    conn = connect(store, database_key(store, passphrase, user))
    try:
        return conn.execute(PEOPLE).fetchall()
    finally:
        conn.close()


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--user")
    parser.add_argument("--expect", type=int, help="fail unless the query returns N rows")
    args = parser.parse_args(argv)
    passphrase = os.environ.get("SUPERVISE_PASSPHRASE")
    if passphrase is None:
        raise SystemExit("set SUPERVISE_PASSPHRASE")
    try:
        found = people(args.store, passphrase, args.user)
    except Exception as error:  # a wrong key shows here ("file is not a database", InvalidTag)
        raise SystemExit(f"the floor did not open {args.store}: {type(error).__name__}: "
                         f"{error}") from None
    if not found or (args.expect is not None and len(found) != args.expect):
        raise SystemExit(f"the floor's query returned {len(found)} people, expected "
                         f"{args.expect if args.expect is not None else 'some'}")
    print(len(found))


if __name__ == "__main__":
    main(sys.argv[1:])
