"""The policy a store enforces: every version kept, the latest in force."""


from sqlmodel import Session, col, select

from supervise.domain.policy.organisation_policy import Policy, parse_policy
from supervise.domain.records.canonical import iso_utc
from supervise.store.catalog import shipped_policy
from supervise.store.db.tables import PolicyVersion, StoreMeta
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event


def policy_history(session: Session) -> list[PolicyVersion]:
    return list(session.exec(select(PolicyVersion).order_by(col(PolicyVersion.version))))


def current_policy(session: Session) -> tuple[Policy, int]:
    """The policy in force and its version number in this store."""
    row = session.exec(
        select(PolicyVersion).order_by(col(PolicyVersion.version).desc()).limit(1)).first()
    if row is None:  # a store made before policies were stored: its profile, as chosen at init
        meta = session.get(StoreMeta, "policy")
        return shipped_policy(meta.value if meta else "minimum-standards"), 0
    assert row.version is not None  # a stored policy has its number
    return parse_policy(row.text, f"version {row.version}"), row.version


def set_policy(work: Writing, policy: Policy) -> int:
    session, now, actor = work.session, work.now, work.actor
    row = PolicyVersion(profile=policy.id, title=policy.title, text=policy.text,
                        digest=policy.digest, set_at=iso_utc(now), set_by=actor)
    session.add(row)
    session.flush()
    append_event(work, action="policy.set", record_type="policy",
                 record_id=str(row.version), digest=policy.digest,
                 detail={"profile": policy.id, "policy_version": policy.version})
    assert row.version is not None  # numbered by the flush above
    return row.version


def policy_in_force(work: Writing) -> tuple[Policy, int]:
    """As current_policy, storing the profile first if the store has none yet, so every record
    can name the policy version it was made under."""
    session = work.session
    policy, version = current_policy(session)
    if version == 0:
        version = set_policy(work, policy)
    return policy, version
