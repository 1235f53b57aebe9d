"""The arithmetic of checking signed records, a chunk at a time: each record's digest from its
content (built by record_digests.py) and each signature against its key. It reads nothing and
imports nothing of the store, so that worker processes can share it on a large store: the
reading stays in the one process that holds the store's transaction, and the hashing and
Ed25519 checks, which are most of the time, run beside it."""

from collections import namedtuple
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from supervise import keycrypto
from supervise.domain.records.plain_digest import is_flat, plain_json, plain_record_digest
from supervise.domain.records.signing import SIGNER_FIELDS, statement

SignatureRow = namedtuple("SignatureRow", (
    "id", "record_type", "record_id", "digest", "signer_id", "signer_name", "role", "method",
    "comment", "witness_id", "witness_name", "key_id", "public_key", "signed_at", "signature"))
KeyFacts = namedtuple("KeyFacts", ("public_key", "person_id", "created_at", "fingerprint"))
# a record to check: its label, its content as (header, parts, salt key) or None, and its
# signatures; what comes back: its digest (None: content.py must build it) and, for each
# signature, what is wrong with it or None
Work = tuple[str, tuple | None, list[SignatureRow]]
Checked = tuple[str | None, list[str | None]]


def signature_problem(signature: SignatureRow, keys: dict[int, KeyFacts],
                      what: str) -> str | None:
    who = f"{what}: the signature of {signature.signer_name} ({signature.role})"
    key = keys.get(signature.key_id)
    if key is None:
        return f"{who} names a signing key the store does not hold"
    holder = signature.witness_id if signature.method == "typed" else signature.signer_id
    if key.public_key != signature.public_key or key.person_id != holder:
        whose = "their own" if holder == signature.signer_id else \
            f"the witness {signature.witness_name}'s"
        return f"{who} was not made with {whose} key"
    if key.created_at > signature.signed_at:
        return f"{who} is dated before the key that made it"
    try:
        public, raw = keycrypto.unb64(key.public_key), keycrypto.unb64(signature.signature)
    except ValueError:
        return f"{who} is unreadable"
    said = statement(  # signing.statement_bytes, with canonical.py's walk only if needed
        record_type=signature.record_type, record_id=signature.record_id,
        digest=signature.digest, key=key.fingerprint,
        **{name: getattr(signature, name) for name in SIGNER_FIELDS})
    stated = plain_json(said, plain=is_flat(signature) and type(key.fingerprint) is str)
    if not keycrypto.ed25519_valid(public, raw, stated):
        return f"{who} does not match its key: it or what it states was altered"
    return None


def check(records: list[Work], keys: dict[int, KeyFacts]) -> list[Checked]:
    checked: list[Checked] = []
    for what, content, signatures in records:
        digest = None
        if content is not None:
            try:
                digest = plain_record_digest(*content)
            except Exception:  # noqa: BLE001 - content.py builds it again, and says why
                digest = None
        checked.append((digest, [signature_problem(s, keys, what) for s in signatures]))
    return checked


_keys: dict[int, KeyFacts] = {}


def _hold(keys: dict[int, KeyFacts]) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to report
    _keys.update(keys)


def _check_held(records: list[Work]) -> list[Checked]:
    return check(records, _keys)


Pending = tuple["Future[list[Checked]]", list[Work]] | list[Checked]  # in a worker, or done


class Checkers:
    """`check` run in `workers` processes beside this one (none: here, in turn). They are
    forked, so they start at once and import nothing again (a fresh interpreter would run the
    program's main module again); the store's connection they inherit is never used by them,
    and they leave by os._exit, which closes nothing of it."""

    def __init__(self, keys: dict[int, KeyFacts], workers: int) -> None:
        self.keys = keys
        self.pool = None
        if workers > 0:
            import multiprocessing

            self.pool = ProcessPoolExecutor(workers, multiprocessing.get_context("fork"),
                                            initializer=_hold, initargs=(keys,))

    def submit(self, records: list[Work]) -> "Pending":
        if self.pool is not None:
            try:
                return self.pool.submit(_check_held, records), records
            except Exception:  # noqa: BLE001 - the pool is broken: the checks are done here
                self.pool = None
        return check(records, self.keys)

    def result(self, pending: Any) -> list[Checked]:
        """A chunk's findings; one a worker could not give (killed for memory, say) is checked
        here instead, so a failing worker never stops the check or loses a finding."""
        if not isinstance(pending, tuple):
            return pending
        future, records = pending
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - see above
            return check(records, self.keys)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
