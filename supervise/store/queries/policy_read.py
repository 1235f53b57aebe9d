"""The policy in force, read in plain SQL for the commands that only read (`overdue`, reports).
Writing a policy, and reading it inside an ORM session, stay in store/records/policies.py."""

from supervise.domain.policy.organisation_policy import Policy, parse_policy
from supervise.store.db.reading import Reader


def policy_read(reader: Reader) -> tuple[Policy, int]:
    """The policy in force and its version number in this store (as policies.current_policy)."""
    row = reader.one("SELECT version, text FROM policy_version ORDER BY version DESC LIMIT 1")
    if row is None:  # a store made before policies were stored: its profile, as chosen at init
        from supervise.store.catalog import shipped_policy  # the shipped files: rarely needed

        profile = reader.value("SELECT value FROM store_meta WHERE key = :key", {"key": "policy"})
        return shipped_policy(profile or "minimum-standards"), 0
    version, text = row
    return parse_policy(text, f"version {version}"), int(version)
