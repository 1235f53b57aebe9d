"""Cryptographic primitives: Argon2id, AES-256-GCM, sealing to an X25519 key, the slot-list MAC,
Ed25519 signatures. Shared by the store (key file, signing) and exports (verifying a bundle).

All from `cryptography`, but Argon2id from argon2-cffi (its lanes on threads); imported lazily
so that `--help` never pays for them.
"""

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int

    def acceptable(self) -> bool:
        """At or above OWASP's Argon2id minimum (19 MiB, t=2, p=1), and not absurdly large."""
        return (19456 <= self.memory_kib <= 4 * 1024 * 1024 and 2 <= self.iterations <= 64
                and 1 <= self.lanes <= 64)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_kek(passphrase: str, params: KdfParams, salt: bytes) -> bytes:
    """Argon2id (RFC 9106) by its reference implementation, which computes the lanes on as many
    threads, as the parameters intend: every unlock waits for it. The same bytes as any other
    Argon2id (tests hold it to cryptography's), so key files are unchanged."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(unicodedata.normalize("NFC", passphrase).encode("utf-8"), salt,
                           time_cost=params.iterations, memory_cost=params.memory_kib,
                           parallelism=params.lanes, hash_len=32, type=Type.ID)


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> dict:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return {"nonce": b64(nonce), "ciphertext": b64(AESGCM(key).encrypt(nonce, plaintext, aad))}


def decrypt(key: bytes, box: dict, aad: bytes) -> bytes:
    """Raises cryptography's InvalidTag if the key is wrong or the box was altered."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).decrypt(unb64(box["nonce"]), unb64(box["ciphertext"]), aad)


def new_x25519() -> tuple[bytes, bytes]:
    """A fresh key pair as (private, public) raw bytes."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def public_of(private_raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    return X25519PrivateKey.from_private_bytes(private_raw).public_key().public_bytes_raw()


def _hkdf(secret: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def seal(secret: bytes, public_raw: bytes, aad: bytes) -> dict:
    """Encrypt `secret` so that only the holder of `public_raw`'s private key can open it."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_raw))
    key = _hkdf(shared, b"supervise sealed database key v1" + ephemeral_pub + public_raw)
    return {"ephemeral": b64(ephemeral_pub), **encrypt(key, secret, aad)}


def unseal(sealed: dict, private_raw: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

    ephemeral_pub = unb64(sealed["ephemeral"])
    shared = X25519PrivateKey.from_private_bytes(private_raw).exchange(
        X25519PublicKey.from_public_bytes(ephemeral_pub))
    key = _hkdf(shared, b"supervise sealed database key v1" + ephemeral_pub
                + public_of(private_raw))
    return decrypt(key, sealed, aad)


def list_mac(db_key: bytes, content: bytes) -> str:
    """Who may receive the database key is decided by whoever holds it: the slot list is
    authenticated with a key derived from the database key."""
    return hmac.new(_hkdf(db_key, b"supervise key file slot list v1"), content,
                    hashlib.sha256).hexdigest()


def name_tag(salt: bytes, key: str) -> str:
    return hmac.new(salt, key.encode("utf-8"), hashlib.sha256).hexdigest()


def hkdf(secret: bytes, info: bytes) -> bytes:
    return _hkdf(secret, info)


def new_ed25519() -> tuple[bytes, bytes]:
    """A fresh signing key pair as (private, public) raw bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def ed25519_public_of(private_raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_raw).public_key().public_bytes_raw()


def ed25519_sign(private_raw: bytes, message: bytes) -> bytes:
    return ed25519_signer(private_raw)(message)


def ed25519_signer(private_raw: bytes) -> Callable[[bytes], bytes]:
    """Signing with one key, loaded once: loading costs what a signature does."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_raw).sign


def ed25519_valid(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def ed25519_pem(public_raw: bytes) -> bytes:
    """A public key as PEM (SubjectPublicKeyInfo): what `openssl pkeyutl -pubin` reads."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Ed25519PublicKey.from_public_bytes(public_raw).public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
