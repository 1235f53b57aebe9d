"""The floor under `overdue`: the same facts read by raw sqlcipher3 queries on the same file, the
rows fetched as tuples and nothing done with them. The key is unwrapped as floor_unlock.py does,
the connection keyed and its page cache sized as store/db/sqlcipher.py does; the two queries
overdue keeps by name are taken from it (so they cannot drift apart), the rest written out.

    SUPERVISE_PASSPHRASE=… .venv/bin/python benchmarks/floor_overdue.py STORE --as-of DATE

Prints how many rows each query returned.
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor_unlock  # noqa: E402
from supervise.store.queries.overdue_facts import (  # noqa: E402
    LAST_HELD,
    UNSIGNED_BY_PERSON,
)

PAGE_CACHE_KIB = 32 * 1024  # as store/db/sqlcipher.py's

QUERIES = {
    "policy": "SELECT version, text FROM policy_version ORDER BY version DESC LIMIT 1",
    "people": """
        SELECT id, name, role, start_date, left_date, requires_supervision, is_supervisor,
               supervisor_since, supervisor_trained_on, newly_qualified_on, created_at
        FROM person""",
    "contract signatures": """
        SELECT record_id, signer_id, role FROM signature
        WHERE record_type = 'contract' AND signed_at < :after""",
    "contracts": """
        SELECT c.id, c.supervisee_id, c.supervisor_id, c.kind, c.frequency, c.schedule,
               c.schedule_from, c.start_on, c.review_on, c.supersedes_id, e.ended_on
        FROM contract c LEFT JOIN contract_end e ON e.contract_id = c.id""",
    "last held": LAST_HELD,
    "drafts": """
        SELECT ss.person_id, min(substr(s.created_at, 1, 10)) AS since
        FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
        WHERE s.status = 'draft' AND substr(s.created_at, 1, 10) <= :d
        GROUP BY ss.person_id""",
    "unsigned": UNSIGNED_BY_PERSON,
    "actions": """
        SELECT a.owner_id, ss.person_id
        FROM action_item a
        JOIN session_record s ON s.id = a.session_id
        LEFT JOIN session_supervisee ss ON ss.session_id = s.id
        WHERE a.status = 'open' AND a.due_on < :d AND s.status <> 'draft'
          AND s.held_on <= :d AND a.owner_id IS NOT NULL""",
    "cancellations": """
        SELECT supervisee_id, max(meeting_on) AS last FROM cancellation
        WHERE rebooked_on IS NULL AND meeting_on <= :d
        GROUP BY supervisee_id""",
}


def connect(store: Path, passphrase: str, user: str | None = None):
    key = floor_unlock.database_key(store, passphrase, user)
    return floor_unlock.connect(store, key, cache_kib=PAGE_CACHE_KIB)


def facts(conn, on: date) -> dict[str, int]:
    """Every query's rows, fetched in one read transaction; how many each returned."""
    params = {"d": on.isoformat(), "after": (on + timedelta(days=1)).isoformat()}
    conn.execute("BEGIN")
    try:
        return {name: len(conn.execute(sql, params).fetchall())
                for name, sql in QUERIES.items()}
    finally:
        conn.execute("COMMIT")


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--user")
    args = parser.parse_args(argv)
    passphrase = os.environ.get("SUPERVISE_PASSPHRASE")
    if passphrase is None:
        raise SystemExit("set SUPERVISE_PASSPHRASE")
    conn = connect(args.store, passphrase, args.user)
    try:
        for name, count in facts(conn, args.as_of).items():
            print(f"{name:>20}: {count:,}")
    finally:
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
