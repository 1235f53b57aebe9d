"""The synthetic large trust (benchmarks/large_trust.py, SPEC §9) built small: it builds through
the store's bulk path (store/bulk/sessions.py) under the store's current rules, what it leaves
verifies as `audit verify` checks a store (the chain, every record re-digested from its rows,
every signature), and `overdue` over it meets every status and flag it is built to show. One
session written both ways, step by step and in bulk, leaves the same rows and digest."""

import importlib.util
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from supervise.app.audit import verify_store
from supervise.app.overdue import overdue
from supervise.domain.oversight.overdue import FLAGS
from supervise.store.bulk.sessions import ActionIn, Bulk, CaseIn, ReviewIn, SessionIn
from supervise.store.catalog import Catalog
from supervise.store.db import tables as models
from supervise.store.db.opening import unlock_store
from supervise.store.db.writing import Stamp
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.content import session_content
from supervise.store.records.policies import policy_in_force
from supervise.store.records.sessions import (
    add_action,
    complete_and_sign,
    review_action,
    save_answer,
    save_case,
    save_decision,
    set_next_meeting,
    start_draft,
)
from supervise.store.records.signatures import Signer, SigningMaterial

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("large_trust", ROOT / "benchmarks" /
                                                  "large_trust.py")
    if "large_trust" not in sys.modules:  # its dataclasses look their module up by name
        module = importlib.util.module_from_spec(spec)
        sys.modules["large_trust"] = module
        spec.loader.exec_module(module)  # building runs only under __main__
    return sys.modules["large_trust"]


@pytest.fixture(scope="module")
def large_trust():
    return _generator()


@pytest.fixture(scope="module")
def small(large_trust, tmp_path_factory):
    """The --small trust (40 supervisees, 4 supervisors, a year): (path, counts)."""
    path = tmp_path_factory.mktemp("trust") / "small.db"
    counts = large_trust.build(path, passphrase=large_trust.PASSPHRASE, **large_trust.SMALL)
    return path, counts


def _open(large_trust, path, **more):
    return unlock_store(path, passphrase=lambda: large_trust.PASSPHRASE, user=None,
                        now=datetime.combine(large_trust.END, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=9), **more)


def test_the_small_trust_verifies_as_audit_verify_checks_a_store(large_trust, small):
    path, counts = small
    assert counts["sessions"] > 300 and counts["drafts"] >= 1
    assert counts["action_reviews"] > 100 and counts["decisions"] >= 1
    with _open(large_trust, path) as store:
        result = verify_store(store)
    assert result.problems == []
    assert result.signatures == counts["signatures"]
    assert result.records >= counts["sessions"] + counts["contracts"]
    assert result.events >= counts["audit_events"]


def test_overdue_over_it_meets_every_status_and_flag(large_trust, small):
    path, _ = small
    with _open(large_trust, path, read_only=True) as store:
        rows = overdue(store, large_trust.END, supervisor=None)
    assert {r.status for r in rows} == {"ok", "due-soon", "overdue"}
    assert {f for r in rows for f in r.flags} == set(FLAGS)


def test_the_same_seed_gives_the_same_plan(large_trust):
    def plan():
        made = large_trust.Plan(7, 20, 2, 1, large_trust.END)
        return [(moment.isoformat(), kind, getattr(subject, "name", None))
                for moment, _, kind, subject in made.events]

    assert plan() == plan()


def _without_ids(content) -> dict:
    """A session's content with what differs between two sessions of two supervisees left
    out: the ids of the session, its supervisees, its actions, and whom an action is owned by."""
    header = {k: v for k, v in content.header.items() if k not in ("id", "supervisees")}
    parts = [{k: v for k, v in part.items() if k not in ("action", "review_of", "owner")}
             for part in content.parts]
    return {"header": header, "parts": parts}


def test_one_session_written_step_by_step_and_in_bulk_leaves_the_same_record(large_trust,
                                                                             small, tmp_path):
    path, _ = small
    copy = tmp_path / "copy.db"  # the module's store stays as built
    for source in path.parent.glob(path.name + "*"):
        (tmp_path / source.name.replace(path.name, copy.name)).write_bytes(source.read_bytes())
    catalog = Catalog(None)
    template = catalog.get(large_trust.CASE_TEMPLATE)
    decision_template = catalog.get(large_trust.DECISION_TEMPLATE)
    answers = {key: phrases[0] for key, (_, phrases) in large_trust.ANSWERS.items()}
    case_answers = {key: phrases[0] for key, (_, phrases) in large_trust.CASE_ANSWERS.items()}
    decision = {key: phrases[0] for key, phrases in large_trust.DECISION.items()}
    held = date(2026, 10, 30)
    moment = datetime(2026, 10, 30, 15, tzinfo=UTC)
    due = held + timedelta(days=20)
    with _open(large_trust, copy) as store, store.session() as s:
        head = s.exec(select(models.Person).order_by(models.Person.id)).first()
        work = Stamp(s, moment, head.name)
        policy, version = policy_in_force(work)
        key, private = custodian_key(work, head, store.opened.private_key)
        one, other = s.exec(select(models.Person).where(models.Person.is_supervisor == False)  # noqa: E712
                            .order_by(models.Person.id).limit(2)).all()
        child = s.exec(select(models.Child).order_by(models.Child.id)).first()
        family = s.get(models.Family, child.family_id)

        def signers(person):
            return [Signer(head, "supervisor", None, SigningMaterial(key, private, "key")),
                    Signer(person, "supervisee", None,
                           SigningMaterial(key, private, "typed", witness=head))]

        def draft(person, day):
            return start_draft(work, template=template, kind="one-to-one", supervisor=head,
                               supervisees=[person], held_on=day, start_time="13:00",
                               duration=60, contract_id=None, policy=policy,
                               policy_version=version)

        def open_action(person) -> int:  # agreed a month before, reviewed in the session
            record = draft(person, held - timedelta(days=28))
            for section, value in answers.items():
                save_answer(s, record, section, value, moment)
            action = add_action(s, record, text="Chase it", owner=person,
                                due=held - timedelta(days=2), case=None, now=moment)
            complete_and_sign(work, record, signers(person), policy=policy, signed_at=moment)
            return action.id

        step_action, bulk_action = open_action(one), open_action(other)
        record = draft(one, held)
        set_next_meeting(s, record, held + timedelta(days=28), moment)
        for section, value in answers.items():
            save_answer(s, record, section, value, moment)
        case = save_case(work, record, position=1, family=family.name,
                         children=[{"id": child.id}], status="child-protection",
                         answers=case_answers)
        save_decision(s, case, decision_template, decision, moment)
        review_action(work, s.get(models.ActionItem, step_action), outcome="carried",
                      note="Waiting.", record=record, due=due)
        add_action(s, record, text="Share the plan", owner=one, due=due, case=case, now=moment)
        complete_and_sign(work, record, signers(one), policy=policy, signed_at=moment)

        bulk = Bulk(policy=policy, policy_version=version, decision_template=decision_template)
        written = bulk.session(work, SessionIn(
            template=template, kind="one-to-one", supervisor=head, supervisees=[other],
            held_on=held, start_time="13:00", duration=60, contract_id=None, answers=answers,
            next_meeting=held + timedelta(days=28),
            cases=[CaseIn(family.id, [child.id], "child-protection", case_answers, decision)],
            reviews=[ReviewIn(bulk_action, "carried", "Waiting.", due)],
            actions=[ActionIn("Share the plan", other, due, case=1)]),
            signers(other), signed_at=moment)
        s.expire_all()
        stored = s.get(models.SessionRecord, written.session_id)
        again = session_content(s, stored)  # from its rows, as `audit verify` recomputes it
        assert stored.digest == written.digest == again.digest
        assert _without_ids(again) == _without_ids(session_content(s, record))
        assert (stored.status, stored.late_entry) == (record.status, record.late_entry)
        assert s.get(models.ActionItem, bulk_action).due_on == due
        signed = s.exec(select(models.Signature.role).where(
            models.Signature.record_type == "session",
            models.Signature.record_id == written.session_id)).all()
        assert sorted(signed) == ["supervisee", "supervisor"]
