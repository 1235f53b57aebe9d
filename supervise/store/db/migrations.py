"""Schema migrations, applied on open after an automatic encrypted backup.

Each migration is a list of portable SQL statements (SQLite-only DDL comes from sqlite.py). The
schema version lives in `store_meta`, so a store says which code wrote it.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from supervise.errors import Hint, StoreFileError
from supervise.files import ensure_private_dir
from supervise.store.db import sqlcipher as sqlite

Migration = tuple[int, Sequence[str]]

def _signed_record_guards() -> list[str]:
    """Once a session or decision carries a signature, the database refuses to change any row
    of it, as the application does (SPEC §6). Contracts are append-only already."""

    def session(row: str) -> str:
        return sqlite.signed_by("session", f"{row}.session_id")

    def case_session(row: str) -> str:
        return ("EXISTS (SELECT 1 FROM case_discussion c JOIN signature s ON s.record_type = "
                f"'session' AND s.record_id = c.session_id WHERE c.id = {row}.case_id)")

    def decision(row: str) -> str:
        own = "" if row == "NEW" else " OR " + sqlite.signed_by("decision", "OLD.id")
        return case_session(row) + own

    def signed_decision_on(case_id: str) -> str:
        return ("EXISTS (SELECT 1 FROM decision d JOIN signature s ON s.record_type = "
                f"'decision' AND s.record_id = d.id WHERE d.case_id = {case_id})")

    def with_signed_decision(session_id: str) -> str:
        return ("EXISTS (SELECT 1 FROM case_discussion c JOIN decision d ON d.case_id = c.id "
                "JOIN signature s ON s.record_type = 'decision' AND s.record_id = d.id "
                f"WHERE c.session_id = {session_id})")

    def session_row(row: str) -> str:  # its own signature, or a signed decision made in it
        return sqlite.signed_by("session", f"{row}.id") + " OR " + with_signed_decision(
            f"{row}.id")

    return [
        sqlite.refuse_when("session_record", "UPDATE", session_row("OLD")),
        sqlite.refuse_when("session_record", "DELETE", session_row("OLD")),
        *sqlite.frozen_with("session_answer", session),
        *sqlite.frozen_with("session_supervisee", lambda row: session(row) + " OR "
                            + with_signed_decision(f"{row}.session_id")),
        *sqlite.frozen_with("case_discussion", lambda row: session(row) + " OR "
                            + signed_decision_on(f"{row}.id")),
        *sqlite.frozen_with("case_child", lambda row: case_session(row) + " OR "
                            + signed_decision_on(f"{row}.case_id")),
        *sqlite.frozen_with("decision", decision),
        sqlite.refuse_when("action_item", "INSERT", session("NEW")),
        sqlite.refuse_when("action_item", "UPDATE", session("OLD"), columns=(
            "text", "owner_id", "agreed_due_on", "session_id", "case_id")),
        sqlite.refuse_when("action_item", "DELETE", session("OLD")),
        *sqlite.frozen_with("action_review", session),
    ]


MIGRATIONS: list[Migration] = [
    (
        1,
        [
            "CREATE TABLE store_meta (key VARCHAR PRIMARY KEY NOT NULL, value VARCHAR NOT NULL)",
            """CREATE TABLE person (
                id INTEGER PRIMARY KEY NOT NULL,
                name VARCHAR NOT NULL,
                name_key VARCHAR NOT NULL UNIQUE,
                role VARCHAR NOT NULL,
                team VARCHAR,
                start_date DATE,
                left_date DATE,
                requires_supervision BOOLEAN NOT NULL DEFAULT 1,
                is_supervisor BOOLEAN NOT NULL DEFAULT 0,
                supervisor_trained_on DATE,
                newly_qualified_on DATE,
                custodian BOOLEAN NOT NULL DEFAULT 0,
                created_at VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_person_name_key ON person (name_key)",
            """CREATE TABLE audit_event (
                seq INTEGER PRIMARY KEY NOT NULL,
                at VARCHAR NOT NULL,
                actor VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                record_type VARCHAR,
                record_id VARCHAR,
                digest VARCHAR,
                detail VARCHAR NOT NULL,
                prev_hash VARCHAR NOT NULL,
                hash VARCHAR NOT NULL
            )""",
            *sqlite.append_only_triggers("audit_event"),
        ],
    ),
    (
        2,
        [
            """CREATE TABLE template_snapshot (
                digest VARCHAR PRIMARY KEY NOT NULL,
                template_id VARCHAR NOT NULL,
                version INTEGER NOT NULL,
                kind VARCHAR NOT NULL,
                title VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                stored_at VARCHAR NOT NULL
            )""",
            *sqlite.append_only_triggers("template_snapshot"),
            """CREATE TABLE policy_version (
                version INTEGER PRIMARY KEY NOT NULL,
                profile VARCHAR NOT NULL,
                title VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                digest VARCHAR NOT NULL,
                set_at VARCHAR NOT NULL,
                set_by VARCHAR NOT NULL
            )""",
            *sqlite.append_only_triggers("policy_version"),
            """CREATE TABLE contract (
                id INTEGER PRIMARY KEY NOT NULL,
                supervisee_id INTEGER NOT NULL REFERENCES person (id),
                supervisor_id INTEGER NOT NULL REFERENCES person (id),
                kind VARCHAR NOT NULL,
                frequency VARCHAR NOT NULL,
                schedule VARCHAR,
                schedule_from DATE,
                duration_minutes INTEGER,
                venue VARCHAR,
                start_on DATE NOT NULL,
                review_on DATE NOT NULL,
                template_digest VARCHAR NOT NULL REFERENCES template_snapshot (digest),
                answers VARCHAR NOT NULL,
                supersedes_id INTEGER UNIQUE REFERENCES contract (id),
                policy_version INTEGER NOT NULL REFERENCES policy_version (version),
                created_at VARCHAR NOT NULL,
                created_by VARCHAR NOT NULL,
                digest VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_contract_supervisee ON contract (supervisee_id, kind)",
            *sqlite.append_only_triggers("contract"),
            """CREATE TABLE contract_end (
                contract_id INTEGER PRIMARY KEY NOT NULL REFERENCES contract (id),
                ended_on DATE NOT NULL,
                reason VARCHAR NOT NULL,
                recorded_at VARCHAR NOT NULL,
                recorded_by VARCHAR NOT NULL
            )""",
            *sqlite.append_only_triggers("contract_end"),
        ],
    ),
    (
        3,
        [
            """CREATE TABLE family (
                id INTEGER PRIMARY KEY NOT NULL,
                name VARCHAR NOT NULL,
                name_key VARCHAR NOT NULL UNIQUE,
                created_at VARCHAR NOT NULL
            )""",
            """CREATE TABLE child (
                id INTEGER PRIMARY KEY NOT NULL,
                name VARCHAR NOT NULL,
                name_key VARCHAR NOT NULL,
                dob DATE,
                local_ref VARCHAR,
                family_id INTEGER REFERENCES family (id),
                status VARCHAR NOT NULL,
                status_since DATE,
                created_at VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_child_name_key ON child (name_key)",
            # AUTOINCREMENT: a discarded draft's number is never given to another record
            """CREATE TABLE session_record (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                kind VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                template_digest VARCHAR NOT NULL REFERENCES template_snapshot (digest),
                supervisor_id INTEGER NOT NULL REFERENCES person (id),
                contract_id INTEGER REFERENCES contract (id),
                held_on DATE NOT NULL,
                start_time VARCHAR,
                duration_minutes INTEGER,
                next_meeting DATE,
                policy_version INTEGER NOT NULL REFERENCES policy_version (version),
                late_entry BOOLEAN NOT NULL DEFAULT 0,
                created_at VARCHAR NOT NULL,
                created_by VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL,
                completed_at VARCHAR,
                digest VARCHAR
            )""",
            "CREATE INDEX ix_session_held_on ON session_record (held_on)",
            """CREATE TABLE session_supervisee (
                session_id INTEGER NOT NULL REFERENCES session_record (id),
                person_id INTEGER NOT NULL REFERENCES person (id),
                PRIMARY KEY (session_id, person_id)
            )""",
            "CREATE INDEX ix_session_supervisee_person ON session_supervisee (person_id)",
            """CREATE TABLE session_answer (
                session_id INTEGER NOT NULL REFERENCES session_record (id),
                section_id VARCHAR NOT NULL,
                value VARCHAR NOT NULL,
                saved_at VARCHAR NOT NULL,
                PRIMARY KEY (session_id, section_id)
            )""",
            """CREATE TABLE case_discussion (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                session_id INTEGER NOT NULL REFERENCES session_record (id),
                position INTEGER NOT NULL,
                family_id INTEGER NOT NULL REFERENCES family (id),
                status VARCHAR NOT NULL,
                answers VARCHAR NOT NULL,
                saved_at VARCHAR NOT NULL,
                UNIQUE (session_id, position)
            )""",
            """CREATE TABLE case_child (
                case_id INTEGER NOT NULL REFERENCES case_discussion (id),
                child_id INTEGER NOT NULL REFERENCES child (id),
                PRIMARY KEY (case_id, child_id)
            )""",
            "CREATE INDEX ix_case_child_child ON case_child (child_id)",
            """CREATE TABLE decision (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                case_id INTEGER NOT NULL UNIQUE REFERENCES case_discussion (id),
                template_digest VARCHAR NOT NULL REFERENCES template_snapshot (digest),
                answers VARCHAR NOT NULL,
                saved_at VARCHAR NOT NULL
            )""",
            """CREATE TABLE action_item (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                text VARCHAR NOT NULL,
                owner_id INTEGER NOT NULL REFERENCES person (id),
                due_on DATE NOT NULL,
                session_id INTEGER NOT NULL REFERENCES session_record (id),
                case_id INTEGER REFERENCES case_discussion (id),
                status VARCHAR NOT NULL,
                created_at VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_action_owner ON action_item (owner_id, status)",
            """CREATE TABLE action_review (
                id INTEGER PRIMARY KEY NOT NULL,
                action_id INTEGER NOT NULL REFERENCES action_item (id),
                session_id INTEGER REFERENCES session_record (id),
                outcome VARCHAR NOT NULL,
                note VARCHAR NOT NULL,
                due_before DATE,
                due_after DATE,
                reviewed_at VARCHAR NOT NULL,
                reviewed_by VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_action_review_action ON action_review (action_id)",
            """CREATE TABLE cancellation (
                id INTEGER PRIMARY KEY NOT NULL,
                supervisee_id INTEGER NOT NULL REFERENCES person (id),
                supervisor_id INTEGER REFERENCES person (id),
                meeting_on DATE NOT NULL,
                cancelled_by VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                rebooked_on DATE,
                recorded_at VARCHAR NOT NULL,
                recorded_by VARCHAR NOT NULL
            )""",
            *sqlite.append_only_triggers("cancellation"),
        ],
    ),
    (
        4,
        [
            """CREATE TABLE signing_key (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                person_id INTEGER NOT NULL REFERENCES person (id),
                public_key VARCHAR NOT NULL UNIQUE,
                fingerprint VARCHAR NOT NULL,
                protection VARCHAR NOT NULL,
                slot_public VARCHAR,
                kdf VARCHAR,
                wrapped VARCHAR NOT NULL,
                created_at VARCHAR NOT NULL,
                created_by VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_signing_key_person ON signing_key (person_id)",
            *sqlite.append_only_triggers("signing_key"),
            """CREATE TABLE signature (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                record_type VARCHAR NOT NULL,
                record_id INTEGER NOT NULL,
                digest VARCHAR NOT NULL,
                signer_id INTEGER NOT NULL REFERENCES person (id),
                signer_name VARCHAR NOT NULL,
                role VARCHAR NOT NULL,
                method VARCHAR NOT NULL,
                comment VARCHAR,
                witness_id INTEGER REFERENCES person (id),
                witness_name VARCHAR,
                key_id INTEGER NOT NULL REFERENCES signing_key (id),
                public_key VARCHAR NOT NULL,
                signed_at VARCHAR NOT NULL,
                signature VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_signature_record ON signature (record_type, record_id)",
            *sqlite.append_only_triggers("signature"),
            """CREATE TABLE amendment (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                record_type VARCHAR NOT NULL,
                record_id INTEGER NOT NULL,
                number INTEGER NOT NULL,
                amends_digest VARCHAR NOT NULL,
                section VARCHAR,
                case_position INTEGER,
                previous VARCHAR NOT NULL,
                text VARCHAR NOT NULL,
                reason VARCHAR NOT NULL,
                author_id INTEGER NOT NULL REFERENCES person (id),
                created_at VARCHAR NOT NULL,
                digest VARCHAR NOT NULL,
                UNIQUE (record_type, record_id, number)
            )""",
            *sqlite.append_only_triggers("amendment"),
            # The due date as agreed is part of the signed record; due_on follows reschedules.
            "ALTER TABLE action_item ADD COLUMN agreed_due_on DATE",
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
            "ALTER TABLE person ADD COLUMN supervisor_since DATE",
            """UPDATE person SET supervisor_since = COALESCE(start_date, substr(created_at, 1, 10))
               WHERE is_supervisor""",
            "CREATE INDEX ix_session_status ON session_record (status, held_on)",
            "CREATE INDEX ix_cancellation_supervisee ON cancellation (supervisee_id)",
        ],
    ),
    (
        6,
        [
            # Covering indexes for `overdue` and the reports: read in date order without
            # fetching (and decrypting) every wide row (SPEC §9: a large trust in under 1 s).
            """CREATE INDEX ix_session_seen
               ON session_record (held_on, status, kind, contract_id, supervisor_id)""",
            """CREATE INDEX ix_signature_party
               ON signature (record_type, record_id, signer_id, role, signed_at)""",
            """CREATE INDEX ix_contract_terms ON contract (supervisee_id, supervisor_id, kind,
               frequency, schedule, schedule_from, start_on, review_on, supersedes_id)""",
        ],
    ),    (
        7,
        [
            # A session's digest reads its actions and reviews by session: without these every
            # complete, sign, export and audit verify scanned both tables whole.
            "CREATE INDEX ix_action_session ON action_item (session_id)",
            "CREATE INDEX ix_action_review_session ON action_review (session_id)",
        ],
    ),
    (
        8,
        [
            # A legal hold: nothing it covers is destroyed until it is released. Placed once,
            # released once, never deleted.
            """CREATE TABLE retention_hold (
                id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                scope VARCHAR NOT NULL,
                subject_id INTEGER,
                reason VARCHAR NOT NULL,
                placed_by VARCHAR NOT NULL,
                placed_at VARCHAR NOT NULL,
                released_by VARCHAR,
                released_at VARCHAR,
                release_reason VARCHAR
            )""",
            sqlite.refuse_when("retention_hold", "UPDATE", "OLD.released_at IS NOT NULL",
                               message="a released hold is never changed"),
            sqlite.refuse_when("retention_hold", "DELETE", "1",
                               message="a hold is never deleted"),
        ],
    ),
]


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1][0]


def schema_version(conn) -> int:
    has_meta = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'store_meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def backup_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".backups")


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
        sqlite.backup_to(conn, backup)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except Exception as exc:
        if sqlite.is_busy(exc):
            raise sqlite.StoreInUse() from None
        raise
    try:
        for version, statements in migrations:
            if version <= current:
                continue
            for statement in statements:
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
