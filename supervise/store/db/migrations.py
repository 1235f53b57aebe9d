"""Schema migrations, applied on open after an automatic encrypted backup.

Each migration is a list of statements: tables, indexes and columns rendered from their
declarations in tables.py (ddl.py), guards and SQLite-only DDL from sqlcipher.py, and the data
moves that go with them. The schema version lives in `store_meta`, so a store says which code
wrote it.
"""

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from supervise.errors import Hint, StoreFileError
from supervise.files import ensure_private_dir
from supervise.store.db import ddl
from supervise.store.db.backend import backend
from supervise.store.db.schema_version import schema_version
from supervise.store.db.store_paths import StorePaths
from supervise.store.db.tables import SALT_KEY

__all__ = ["MIGRATIONS", "Migration", "backup_path", "latest_version", "migrate", "schema_version"]

# A step is a statement, or (rarely: a change SQL cannot say portably) a backend function
# run on the connection inside the migration's transaction.
Step = str | Callable[[Any], None]
Migration = tuple[int, Sequence[Step]]

# The columns of an action that are part of its signed session record (its status and current
# due date are not): the first five since migration 4, the rest since migration 9.
ACTION_SIGNED_COLUMNS = ("text", "owner_id", "agreed_due_on", "session_id", "case_id",
                         "owner_contact", "owner_role", "section_id", "notes")


def signed_action_update(columns: Sequence[str]) -> str:
    return backend.refuse_when("action_item", "UPDATE",
                               backend.signed_by("session", "OLD.session_id"), columns=columns)


def _signed_record_guards() -> list[str]:
    """Once a session or decision carries a signature, the database refuses to change any row
    of it, as the application does (SPEC §6). Contracts are append-only already."""

    def session(row: str) -> str:
        return backend.signed_by("session", f"{row}.session_id")

    def case_session(row: str) -> str:
        return ("EXISTS (SELECT 1 FROM case_discussion c JOIN signature s ON s.record_type = "
                f"'session' AND s.record_id = c.session_id WHERE c.id = {row}.case_id)")

    def decision(row: str) -> str:
        own = "" if row == "NEW" else " OR " + backend.signed_by("decision", "OLD.id")
        return case_session(row) + own

    def signed_decision_on(case_id: str) -> str:
        return ("EXISTS (SELECT 1 FROM decision d JOIN signature s ON s.record_type = "
                f"'decision' AND s.record_id = d.id WHERE d.case_id = {case_id})")

    def with_signed_decision(session_id: str) -> str:
        return ("EXISTS (SELECT 1 FROM case_discussion c JOIN decision d ON d.case_id = c.id "
                "JOIN signature s ON s.record_type = 'decision' AND s.record_id = d.id "
                f"WHERE c.session_id = {session_id})")

    def session_row(row: str) -> str:  # its own signature, or a signed decision made in it
        return backend.signed_by("session", f"{row}.id") + " OR " + with_signed_decision(
            f"{row}.id")

    return [
        backend.refuse_when("session_record", "UPDATE", session_row("OLD")),
        backend.refuse_when("session_record", "DELETE", session_row("OLD")),
        *backend.frozen_with("session_answer", session),
        *backend.frozen_with("session_supervisee", lambda row: session(row) + " OR "
                            + with_signed_decision(f"{row}.session_id")),
        *backend.frozen_with("case_discussion", lambda row: session(row) + " OR "
                            + signed_decision_on(f"{row}.id")),
        *backend.frozen_with("case_child", lambda row: case_session(row) + " OR "
                            + signed_decision_on(f"{row}.case_id")),
        *backend.frozen_with("decision", decision),
        backend.refuse_when("action_item", "INSERT", session("NEW")),
        signed_action_update(ACTION_SIGNED_COLUMNS[:5]),
        backend.refuse_when("action_item", "DELETE", session("OLD")),
        *backend.frozen_with("action_review", session),
    ]


def _new_salt_key(conn: Any) -> None:
    conn.execute("INSERT INTO store_meta (key, value) SELECT ?, ? WHERE NOT EXISTS "
                 "(SELECT 1 FROM store_meta WHERE key = ?)",
                 (SALT_KEY, os.urandom(32).hex(), SALT_KEY))


MIGRATIONS: list[Migration] = [
    (
        1,
        [
            ddl.create_table("store_meta"),
            ddl.create_table("person", later=["supervisor_since"]),
            ddl.create_index("person", "ix_person_name_key"),
            ddl.create_table("audit_event"),
            *backend.append_only_triggers("audit_event"),
        ],
    ),
    (
        2,
        [
            ddl.create_table("template_snapshot"),
            *backend.append_only_triggers("template_snapshot"),
            ddl.create_table("policy_version"),
            *backend.append_only_triggers("policy_version"),
            ddl.create_table("contract", later=["canonical"]),
            ddl.create_index("contract", "ix_contract_supervisee"),
            *backend.append_only_triggers("contract"),
            ddl.create_table("contract_end"),
            *backend.append_only_triggers("contract_end"),
        ],
    ),
    (
        3,
        [
            ddl.create_table("family"),
            ddl.create_table("child"),
            ddl.create_index("child", "ix_child_name_key"),
            ddl.create_table("session_record", later=["canonical"]),
            ddl.create_index("session_record", "ix_session_held_on"),
            ddl.create_table("session_supervisee"),
            ddl.create_index("session_supervisee", "ix_session_supervisee_person"),
            ddl.create_table("session_answer"),
            ddl.create_table("case_discussion", required_then=["family_id"]),
            ddl.create_table("case_child", later=["status", "status_since", "local_ref"]),
            ddl.create_index("case_child", "ix_case_child_child"),
            ddl.create_table("decision", later=["canonical"]),
            ddl.create_table("action_item", required_then=["owner_id"],
                             later=["agreed_due_on", "owner_contact", "owner_role",
                                    "section_id", "notes"]),
            ddl.create_index("action_item", "ix_action_owner"),
            ddl.create_table("action_review"),
            ddl.create_index("action_review", "ix_action_review_action"),
            ddl.create_table("cancellation"),
            *backend.append_only_triggers("cancellation"),
        ],
    ),
    (
        4,
        [
            ddl.create_table("signing_key"),
            ddl.create_index("signing_key", "ix_signing_key_person"),
            *backend.append_only_triggers("signing_key"),
            ddl.create_table("signature"),
            ddl.create_index("signature", "ix_signature_record"),
            *backend.append_only_triggers("signature"),
            ddl.create_table("amendment", later=["canonical"]),
            *backend.append_only_triggers("amendment"),
            # The due date as agreed is part of the signed record; due_on follows reschedules.
            ddl.add_column("action_item", "agreed_due_on"),
            """UPDATE action_item SET agreed_due_on = COALESCE(
                (SELECT r.due_before FROM action_review r WHERE r.action_id = action_item.id
                 ORDER BY r.id LIMIT 1), due_on)""",
            *_signed_record_guards(),
        ],
    ),
    (
        5,
        [
            # When someone became a supervisor: the policy's training deadline runs from it.
            ddl.add_column("person", "supervisor_since"),
            """UPDATE person SET supervisor_since = COALESCE(start_date, substr(created_at, 1, 10))
               WHERE is_supervisor""",
            ddl.create_index("session_record", "ix_session_status"),
            ddl.create_index("cancellation", "ix_cancellation_supervisee"),
        ],
    ),
    (
        6,
        [
            # Covering indexes for `overdue` and the reports: read in date order without
            # fetching (and decrypting) every wide row (SPEC §9: a large trust in under 1 s).
            *ddl.create_indexes("session_record", ["ix_session_seen"]),
            *ddl.create_indexes("signature", ["ix_signature_party"]),
            *ddl.create_indexes("contract", ["ix_contract_terms"]),
        ],
    ),
    (
        7,
        [
            # A session's digest reads its actions and reviews by session: without these every
            # complete, sign, export and audit verify scanned both tables whole.
            ddl.create_index("action_item", "ix_action_session"),
            ddl.create_index("action_review", "ix_action_review_session"),
        ],
    ),
    (
        8,
        [
            ddl.create_table("retention_hold"),
            backend.refuse_when("retention_hold", "UPDATE", "OLD.released_at IS NOT NULL",
                               message="a released hold is never changed"),
            backend.refuse_when("retention_hold", "DELETE", "1",
                               message="a hold is never deleted"),
        ],
    ),
    (
        9,
        [
            # Each child of a case discussion has their own status, since when and local
            # reference (until now one status covered every child, dated by the session).
            *[ddl.add_column("case_child", c) for c in ("status", "status_since", "local_ref")],
            # An action may be owned by a named contact who is not on the staff list (so
            # owner_id may be empty), and tied to the agenda item it was agreed under.
            backend.drop_not_null("action_item", "owner_id"),
            *[ddl.add_column("action_item", c)
              for c in ("owner_contact", "owner_role", "section_id")],
            backend.drop_refusal("action_item", "UPDATE"),
            signed_action_update(ACTION_SIGNED_COLUMNS[:8]),
        ],
    ),
    (
        10,
        [
            # How each record's digest is made: records already held keep version 1 (a digest
            # per whole part); new ones digest each text's sentences, so an extract can leave
            # out one sentence and still verify.
            *[ddl.add_column(t, "canonical")
              for t in ("contract", "session_record", "decision", "amendment")],
        ],
    ),
    (
        11,
        [
            # An action carries the note of the discussion it came from (signed with it).
            ddl.add_column("action_item", "notes"),
            backend.drop_refusal("action_item", "UPDATE"),
            signed_action_update(ACTION_SIGNED_COLUMNS),
        ],
    ),
    (
        12,
        [
            # A case discussion may be an experience shared about no one family (the DSL
            # agenda's "Share experience"): no family, no child.
            backend.drop_not_null("case_discussion", "family_id"),
        ],
    ),
    (
        13,
        [
            # The secret that salts each sentence's digest in records made from now on
            # (canonical version 3): kept only in the encrypted store.
            _new_salt_key,
        ],
    ),
]


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1][0]


def backup_dir(db_path: Path) -> Path:
    return StorePaths(db_path).backups


def backup_path(db_path: Path, now: datetime, what: str) -> Path:
    """A new file in the store's backups folder, named by the moment and why, never by a name
    a user typed."""
    folder = backup_dir(db_path)
    ensure_private_dir(folder)
    return folder / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{what}.db"


def migrate(conn, db_path: Path, now: datetime,
            migrations: Sequence[Migration] = MIGRATIONS) -> Path | None:
    """Bring the store to the latest schema. Returns the backup taken first, if any."""
    current = schema_version(conn)
    target = latest_version(migrations)
    if current > target:
        raise StoreFileError(
            f"This store was written by a newer supervise (schema {current}; this one knows "
            f"{target}):", Hint.of("upgrade_to_open")
        )
    if current == target:
        return None
    backup = None
    if current > 0:
        backup = backup_path(db_path, now, f"schema-{current}")
        backend.backup_to(conn, backup)
    backend.begin_write(conn)
    try:
        for version, statements in migrations:
            if version <= current:
                continue
            for statement in statements:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(version),),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return backup
