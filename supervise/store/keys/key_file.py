"""The key file beside the database: one slot per user, each opening the database key.

A slot holds an X25519 key pair. Its private half is encrypted (AES-256-GCM) under a key derived
from the user's passphrase with Argon2id (parameters and salt stored in the slot); the database key
is sealed to its public half. So a passphrase change touches one slot, and `key rotate` can seal a
new database key to every slot without knowing anyone's passphrase. The slot list is authenticated
by a MAC keyed from the database key, so a slot slipped into the file is refused, never sealed to.

During a rotation each slot also carries `sealed_key_next`; whichever of the two keys opens the
database wins, so a crash at any point leaves a store its holders can open. The file also carries
`rotation`: each of the two keys encrypted under the other, so that until the rotation is
finished either recovery key (the one in the safe, or the new one once shown) opens the store.

No names are written in the clear: a slot is found by an HMAC of the user's name under a random
per-file salt, and the name itself sits inside the encrypted part.
"""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from supervise import keycrypto
from supervise.domain.names import name_key
from supervise.domain.records.canonical import canonical_json
from supervise.errors import Hint, UnlockError
from supervise.files import atomic_write
from supervise.keycrypto import KdfParams, b64, unb64

FORMAT = "supervise-keys"
VERSION = 1

# "strong" is the default for real stores; "owasp-minimum" is OWASP's floor (never lower) and lets
# test and demo stores unlock in ~20 ms.
KDF_PROFILES = {
    "strong": KdfParams(memory_kib=65536, iterations=3, lanes=4),
    "owasp-minimum": KdfParams(memory_kib=19456, iterations=2, lanes=1),
}
DAMAGED = "The key file is damaged or was altered:"


class WrongPassphrase(Exception):
    pass


class KeyFileDamaged(UnlockError):
    def __init__(self) -> None:
        super().__init__(DAMAGED, Hint.of("restore_or_recover_key_file"))


@dataclass
class OpenedSlot:
    user: str
    slot_id: str
    private_key: bytes
    db_key: bytes
    next_key: bytes | None = None  # set only while a rotation is unfinished
    anchored: bool = False  # the slot keeps what its holder last saw (anchor.py): must have it


@dataclass
class KeyFile:
    store_id: str
    name_salt: bytes
    default_kdf: KdfParams
    slots: list[dict] = field(default_factory=list)
    slots_mac: str | None = None
    rotation: dict | None = None  # while `key rotate` is unfinished: each key under the other

    @classmethod
    def new(cls, store_id: str, kdf: KdfParams) -> "KeyFile":
        return cls(store_id=store_id, name_salt=os.urandom(16), default_kdf=kdf)

    def slot_id(self, name: str) -> str:
        return keycrypto.name_tag(self.name_salt, name_key(name))

    def slot_for(self, name: str) -> dict | None:
        wanted = self.slot_id(name)
        return next((s for s in self.slots if s["id"] == wanted), None)

    def chosen_slot(self, user: str | None) -> dict | None:
        """The slot that unlocks for `user`, or the only one when none is named; None when
        the user holds no key or several slots leave it open whose."""
        if user:
            return self.slot_for(user)
        return self.slots[0] if len(self.slots) == 1 else None

    def _aad(self, slot_id: str) -> bytes:
        return f"{FORMAT}/{self.store_id}/{slot_id}".encode()

    def add_slot(self, user: str, passphrase: str, db_key: bytes) -> OpenedSlot:
        """Give `user` a slot (replacing any they had) that opens `db_key` with `passphrase`;
        returns it opened, as `open_slot` would, without paying for Argon2id twice."""
        private_raw, public_raw = keycrypto.new_x25519()
        slot: dict = {"id": self.slot_id(user), "public_key": b64(public_raw)}
        slot["sealed_key"] = keycrypto.seal(db_key, public_raw, self._aad(slot["id"]))
        self._wrap_private(slot, user, private_raw, passphrase)
        self.slots = [s for s in self.slots if s["id"] != slot["id"]] + [slot]
        opened = OpenedSlot(user=user, slot_id=slot["id"], private_key=private_raw,
                            db_key=db_key, anchored=True)
        self.start_anchor(opened)
        return opened

    def _wrap_private(self, slot: dict, user: str, private_raw: bytes, passphrase: str) -> None:
        salt = os.urandom(16)
        kek = keycrypto.derive_kek(passphrase, self.default_kdf, salt)
        # "anchored": this slot always carries `seen` (anchor.py), so a `seen` deleted from
        # the file is named; only the passphrase that opens this payload can say otherwise.
        payload = json.dumps({"user": user, "x25519": b64(private_raw),
                              "anchored": True}).encode()
        slot["kdf"] = {"algorithm": "argon2id", **asdict(self.default_kdf), "salt": b64(salt)}
        slot["private"] = keycrypto.encrypt(kek, payload, self._aad(slot["id"]))

    def open_slot(self, slot: dict, passphrase: str) -> OpenedSlot:
        from cryptography.exceptions import InvalidTag

        aad = self._aad(slot["id"])
        try:
            salt = unb64(slot["kdf"]["salt"])
            kek = keycrypto.derive_kek(passphrase, _checked(slot["kdf"]), salt)
            payload = keycrypto.decrypt(kek, slot["private"], aad)
        except InvalidTag:
            raise WrongPassphrase() from None
        except (ValueError, TypeError, KeyError):
            raise KeyFileDamaged() from None
        try:
            inner = json.loads(payload)
            private_raw = unb64(inner["x25519"])
            if keycrypto.public_of(private_raw) != unb64(slot["public_key"]):
                raise ValueError("public key does not match")
            db_key = keycrypto.unseal(slot["sealed_key"], private_raw, aad)
            pending = slot.get("sealed_key_next")
            next_key = keycrypto.unseal(pending, private_raw, aad) if pending else None
            return OpenedSlot(user=inner["user"], slot_id=slot["id"], private_key=private_raw,
                              db_key=db_key, next_key=next_key,
                              anchored=inner.get("anchored") is True)
        except (InvalidTag, ValueError, TypeError, KeyError):
            raise KeyFileDamaged() from None

    def change_passphrase(self, opened: OpenedSlot, new_passphrase: str) -> None:
        slot = next(s for s in self.slots if s["id"] == opened.slot_id)
        self._wrap_private(slot, opened.user, opened.private_key, new_passphrase)
        if SEEN not in slot:
            self.start_anchor(opened)

    def remove_slot(self, name: str) -> None:
        self.slots = [s for s in self.slots if s["id"] != self.slot_id(name)]

    def reseal_all(self, db_key: bytes) -> None:
        for slot in self.slots:
            slot.pop("sealed_key_next", None)
            slot["sealed_key"] = keycrypto.seal(db_key, unb64(slot["public_key"]),
                                                self._aad(slot["id"]))

    def seal_next(self, new_key: bytes) -> None:
        """Rotation, first step: every slot also opens `new_key`; nobody's passphrase needed."""
        for slot in self.slots:
            slot["sealed_key_next"] = keycrypto.seal(new_key, unb64(slot["public_key"]),
                                                     self._aad(slot["id"]))

    def promote_next(self) -> None:
        """Rotation, last step: the new key becomes the only one."""
        for slot in self.slots:
            slot["sealed_key"] = slot.pop("sealed_key_next")

    def drop_next(self) -> bool:
        """Forget a rotation that never replaced the database; True if there was one."""
        pending = [slot for slot in self.slots if "sealed_key_next" in slot]
        for slot in pending:
            del slot["sealed_key_next"]
        return bool(pending)

    def begin_rotation(self, old_key: bytes, new_key: bytes) -> None:
        """Rotation, first step: every slot also opens `new_key`, and each key opens the other."""
        self.seal_next(new_key)
        aad = self._rotation_aad()
        self.rotation = {"new_under_old": keycrypto.encrypt(old_key, new_key, aad),
                         "old_under_new": keycrypto.encrypt(new_key, old_key, aad)}

    def rotation_keys(self, key: bytes) -> tuple[bytes, bytes] | None:
        """(old, new) of the unfinished rotation, given either of them; None if `key` is
        neither (or no rotation is unfinished)."""
        from cryptography.exceptions import InvalidTag

        if self.rotation is None:
            return None
        try:
            return key, keycrypto.decrypt(key, self.rotation["new_under_old"],
                                          self._rotation_aad())
        except (InvalidTag, KeyError, TypeError, ValueError):
            pass
        try:
            return keycrypto.decrypt(key, self.rotation["old_under_new"],
                                     self._rotation_aad()), key
        except (InvalidTag, KeyError, TypeError, ValueError):
            return None

    def end_rotation(self) -> None:
        """Rotation, last step: the new key becomes the only one."""
        if any("sealed_key_next" in slot for slot in self.slots):
            self.promote_next()
        self.rotation = None

    def _rotation_aad(self) -> bytes:
        return f"supervise-rotation:{self.store_id}".encode()

    def _mac_content(self) -> bytes:
        content: dict = {
            "store_id": self.store_id, "name_salt": b64(self.name_salt),
            "default_kdf": asdict(self.default_kdf),
            "slots": sorted([s["id"], s["public_key"]] for s in self.slots),
        }
        if self.rotation is not None:
            content["rotation"] = self.rotation
        return canonical_json(content)

    def authentic(self, db_key: bytes) -> bool:
        """The slot list was sealed under `db_key` (or, while a rotation is unfinished, under
        the other key of that rotation: either may be the one in hand)."""
        import hmac

        if self.slots_mac is None:
            return False
        content = self._mac_content()
        return any(hmac.compare_digest(self.slots_mac, keycrypto.list_mac(key, content))
                   for key in (self.rotation_keys(db_key) or (db_key,)))

    def verify(self, db_key: bytes) -> None:
        if not self.authentic(db_key):
            raise KeyFileDamaged()

    def to_bytes(self) -> bytes:
        document = {
            "format": FORMAT, "version": VERSION, "store_id": self.store_id,
            "name_salt": b64(self.name_salt), "default_kdf": asdict(self.default_kdf),
            "slots": self.slots, "slots_mac": self.slots_mac,
        }
        if self.rotation is not None:
            document["rotation"] = self.rotation
        return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "KeyFile":
        try:
            document = json.loads(data)
            if document["format"] != FORMAT or document["version"] != VERSION:
                raise ValueError("format")
            keyfile = cls(store_id=str(document["store_id"]),
                          name_salt=unb64(document["name_salt"]),
                          default_kdf=_checked(document["default_kdf"]),
                          slots=list(document["slots"]), slots_mac=document.get("slots_mac"),
                          rotation=document.get("rotation"))
            if keyfile.rotation is not None and not isinstance(keyfile.rotation, dict):
                raise ValueError("rotation")
            for slot in keyfile.slots:
                _checked(slot["kdf"])
                if not {"id", "public_key", "private", "sealed_key"} <= set(slot):
                    raise ValueError("slot")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileDamaged() from None
        return keyfile

    def save(self, path: Path, db_key: bytes) -> None:
        """Write atomically, authenticating the slot list with `db_key` (the key that the
        slots' `sealed_key` opens)."""
        self.slots_mac = keycrypto.list_mac(db_key, self._mac_content())
        atomic_write(path, self.to_bytes())

    def start_anchor(self, opened: OpenedSlot) -> None:
        """A new (or newly anchored) slot has seen nothing yet; its holder's first command
        that writes moves it on (anchor.py)."""
        slot = next(s for s in self.slots if s["id"] == opened.slot_id)
        slot[SEEN] = dict(NOTHING_SEEN)
        slot[SEEN_MAC] = seen_mac(opened, self.store_id, slot[SEEN])


def _checked(kdf: dict) -> KdfParams:
    """Parameters read from the file: refused if below OWASP's minimum or absurd."""
    if kdf.get("algorithm", "argon2id") != "argon2id":
        raise KeyFileDamaged()
    params = KdfParams(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
    if not params.acceptable():
        raise KeyFileDamaged()
    return params


def load_keyfile(path: Path) -> KeyFile:
    from supervise.files import NotARegularFile, read_regular

    if not path.exists():
        raise UnlockError(
            f"No key file at {path}:", Hint.of("restore_or_recover_key_file")
        )
    try:
        data = read_regular(path)
    except NotARegularFile as error:  # a folder, or a named pipe that would wait for ever
        raise UnlockError(f"The key file {path} is not a file (it is {error.kind}): move it "
                          "aside, then", Hint.of("restore_or_recover_key_file")) from None
    except OSError as error:
        raise UnlockError(f"The key file {path} cannot be read ({error.strerror}):",
                          Hint.of("restore_or_recover_key_file")) from None
    return KeyFile.from_bytes(data)


# What each key holder last saw (store/keys/anchor.py reads and moves it): kept in their slot,
# authenticated under a key derived from the slot's private half.
SEEN, SEEN_MAC = "seen", "seen_mac"
_SEEN_INFO = b"supervise key slot: what its holder last saw v1"
NOTHING_SEEN: dict = {"events": 0, "head": "", "signatures": 0, "records": {}}


def seen_mac(opened: OpenedSlot, store_id: str, seen: dict) -> str:
    import hmac

    key = keycrypto.hkdf(opened.private_key, _SEEN_INFO)
    content = canonical_json({"store_id": store_id, "slot": opened.slot_id, "seen": seen})
    return hmac.new(key, content, "sha256").hexdigest()

