"""The key file beside the database: one slot per user, each opening the database key.

A slot holds an X25519 key pair. Its private half is encrypted (AES-256-GCM) under a key derived
from the user's passphrase with Argon2id (parameters and salt stored in the slot); the database key
is sealed to its public half. So a passphrase change touches one slot, and `key rotate` can seal a
new database key to every slot without knowing anyone's passphrase.

No names are written in the clear: a slot is found by an HMAC of the user's name under a random
per-file salt, and the name itself sits inside the encrypted part.
"""

import base64
import hashlib
import hmac
import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from supervise.domain.names import name_key
from supervise.errors import UnlockError
from supervise.store.files import atomic_write

FORMAT = "supervise-keys"
VERSION = 1


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int

    def at_least_owasp(self) -> bool:
        return self.memory_kib >= 19456 and self.iterations >= 2 and self.lanes >= 1


# OWASP's Argon2id minimum is m=19 MiB, t=2, p=1. "strong" is the default for real stores;
# "owasp-minimum" is never below OWASP and lets test and demo stores unlock in ~20 ms.
KDF_PROFILES = {
    "strong": KdfParams(memory_kib=65536, iterations=3, lanes=4),
    "owasp-minimum": KdfParams(memory_kib=19456, iterations=2, lanes=1),
}
_MAX_KDF = KdfParams(memory_kib=4 * 1024 * 1024, iterations=64, lanes=64)


class WrongPassphrase(Exception):
    pass


class KeyFileDamaged(UnlockError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _passphrase_bytes(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_kek(passphrase: str, params: KdfParams, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(_passphrase_bytes(passphrase))


def _seal(secret: bytes, public_raw: bytes, aad: bytes) -> dict:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_raw))
    nonce = os.urandom(12)
    ciphertext = AESGCM(_seal_key(shared, ephemeral_pub, public_raw)).encrypt(nonce, secret, aad)
    return {"ephemeral": _b64(ephemeral_pub), "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}


def _unseal(sealed: dict, private_raw: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    private = X25519PrivateKey.from_private_bytes(private_raw)
    ephemeral_pub = _unb64(sealed["ephemeral"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_pub))
    key = _seal_key(shared, ephemeral_pub, private.public_key().public_bytes_raw())
    return AESGCM(key).decrypt(_unb64(sealed["nonce"]), _unb64(sealed["ciphertext"]), aad)


def _seal_key(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info = b"supervise sealed database key v1" + ephemeral_pub + recipient_pub
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


@dataclass
class OpenedSlot:
    user: str
    db_key: bytes
    private_key: bytes
    slot_id: str


@dataclass
class KeyFile:
    store_id: str
    name_salt: bytes
    default_kdf: KdfParams
    slots: list[dict] = field(default_factory=list)

    @classmethod
    def new(cls, store_id: str, kdf: KdfParams) -> "KeyFile":
        return cls(store_id=store_id, name_salt=os.urandom(16), default_kdf=kdf)

    def slot_id(self, name: str) -> str:
        return hmac.new(self.name_salt, name_key(name).encode(), hashlib.sha256).hexdigest()

    def slot_for(self, name: str) -> dict | None:
        wanted = self.slot_id(name)
        return next((s for s in self.slots if hmac.compare_digest(s["id"], wanted)), None)

    def _aad(self, slot_id: str) -> bytes:
        return f"{FORMAT}/{self.store_id}/{slot_id}".encode()

    def add_slot(self, user: str, passphrase: str, db_key: bytes) -> None:
        """Give `user` a slot (replacing any they had) that opens `db_key` with `passphrase`."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        private = X25519PrivateKey.generate()
        public_raw = private.public_key().public_bytes_raw()
        slot_id = self.slot_id(user)
        slot = {"id": slot_id, "public_key": _b64(public_raw)}
        slot["sealed_key"] = _seal(db_key, public_raw, self._aad(slot_id))
        self._wrap_private(slot, user, private.private_bytes_raw(), passphrase)
        self.slots = [s for s in self.slots if s["id"] != slot_id] + [slot]

    def _wrap_private(self, slot: dict, user: str, private_raw: bytes, passphrase: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, nonce = os.urandom(16), os.urandom(12)
        params = self.default_kdf
        payload = json.dumps({"user": user, "x25519": _b64(private_raw)}).encode()
        kek = derive_kek(passphrase, params, salt)
        slot["kdf"] = {
            "algorithm": "argon2id",
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
            "salt": _b64(salt),
        }
        slot["private"] = {
            "nonce": _b64(nonce),
            "ciphertext": _b64(AESGCM(kek).encrypt(nonce, payload, self._aad(slot["id"]))),
        }

    def open_slot(self, slot: dict, passphrase: str) -> OpenedSlot:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        params = _slot_kdf(slot)
        kek = derive_kek(passphrase, params, _unb64(slot["kdf"]["salt"]))
        aad = self._aad(slot["id"])
        try:
            payload = AESGCM(kek).decrypt(
                _unb64(slot["private"]["nonce"]), _unb64(slot["private"]["ciphertext"]), aad
            )
        except InvalidTag:
            raise WrongPassphrase() from None
        inner = json.loads(payload)
        private_raw = _unb64(inner["x25519"])
        try:
            db_key = _unseal(slot["sealed_key"], private_raw, aad)
        except InvalidTag:
            raise KeyFileDamaged(_damaged_message()) from None
        return OpenedSlot(user=inner["user"], db_key=db_key, private_key=private_raw,
                          slot_id=slot["id"])

    def change_passphrase(self, opened: OpenedSlot, new_passphrase: str) -> None:
        slot = next(s for s in self.slots if s["id"] == opened.slot_id)
        self._wrap_private(slot, opened.user, opened.private_key, new_passphrase)

    def remove_slot(self, name: str) -> bool:
        slot = self.slot_for(name)
        if slot is None:
            return False
        self.slots.remove(slot)
        return True

    def reseal_all(self, db_key: bytes) -> None:
        """Seal a new database key to every slot; nobody's passphrase is needed."""
        for slot in self.slots:
            slot["sealed_key"] = _seal(db_key, _unb64(slot["public_key"]), self._aad(slot["id"]))

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "version": VERSION,
            "store_id": self.store_id,
            "name_salt": _b64(self.name_salt),
            "default_kdf": {
                "memory_kib": self.default_kdf.memory_kib,
                "iterations": self.default_kdf.iterations,
                "lanes": self.default_kdf.lanes,
            },
            "slots": self.slots,
        }
        return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "KeyFile":
        try:
            document = json.loads(data)
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise ValueError("format")
            keyfile = cls(
                store_id=str(document["store_id"]),
                name_salt=_unb64(document["name_salt"]),
                default_kdf=KdfParams(**document["default_kdf"]),
                slots=list(document["slots"]),
            )
            for slot in keyfile.slots:
                _slot_kdf(slot)
                for part in ("id", "public_key", "private", "sealed_key"):
                    slot[part]  # noqa: B018 - presence check
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileDamaged(_damaged_message()) from None
        return keyfile

    def save(self, path: Path) -> None:
        atomic_write(path, self.to_bytes())


def _slot_kdf(slot: dict) -> KdfParams:
    kdf = slot["kdf"]
    if kdf.get("algorithm") != "argon2id":
        raise KeyFileDamaged(_damaged_message())
    params = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
    too_big = (params.memory_kib > _MAX_KDF.memory_kib or params.iterations > _MAX_KDF.iterations
               or params.lanes > _MAX_KDF.lanes or params.lanes < 1)
    if too_big or not params.at_least_owasp():
        raise KeyFileDamaged(_damaged_message())
    return params


def _damaged_message() -> str:
    return ("The key file is damaged or was altered: restore it from a backup, or rebuild it "
            "with `supervise key recover` and the recovery key.")


def load_keyfile(path: Path) -> KeyFile:
    if not path.exists():
        raise UnlockError(
            f"No key file at {path}: restore it from a backup, or rebuild it with "
            "`supervise key recover` and the recovery key."
        )
    return KeyFile.from_bytes(path.read_bytes())
