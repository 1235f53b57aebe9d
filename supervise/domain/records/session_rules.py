"""The rules a session record is held to while it is written (SPEC §2, §4), pure: the store
gathers the facts (dates, ids, the template and what is answered, the policy, `today`), asks
these, raises the first problem and writes only when there is none."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import FIELD_TYPES, Template
from supervise.domain.wording import family_words
from supervise.errors import Hint, SuperviseError, UsageError

LONGEST_MINUTES = 600


def late_entry(held_on: date, recorded_on: date, policy: Policy) -> bool:
    """Written more than the policy's days after the meeting."""
    return (recorded_on - held_on).days > policy.late_entry_days


def start_problems(*, held_on: date, today: date, duration: int | None, supervisor_id: int | None,
                   supervisor_name: str, supervisee_ids: list[int | None]) -> list[SuperviseError]:
    """What is wrong with a new session: held in the future, an implausible length, or a
    supervisor among their own supervisees."""
    problems: list[SuperviseError] = []
    if held_on > today:
        problems.append(UsageError(f"{held_on} is in the future: a session is recorded once it "
                                   f"is held."))
    if duration is not None and not 1 <= duration <= LONGEST_MINUTES:
        problems.append(UsageError(f"A duration of {duration} minutes is not plausible: give 1 "
                                   f"to {LONGEST_MINUTES}."))
    if supervisor_id in supervisee_ids:
        problems.append(UsageError(f"{supervisor_name} cannot supervise themselves:",
                                   Hint.of("check_supervisor")))
    return problems


def draft_problems(session_id: int | None, status: str) -> list[SuperviseError]:
    """Only a draft is written to; a completed record is amended instead."""
    if status == "draft":
        return []
    return [SuperviseError(f"Session {session_id} is {status}: a completed record is never "
                           "changed.", Hint.of("amend_session", session=session_id))]


def discard_problems(session_id: int | None, status: str) -> list[SuperviseError]:
    """Only a draft is thrown away: a completed record is evidence."""
    if status == "draft":
        return []
    return [SuperviseError(f"Session {session_id} is {status}: only a draft can be discarded.")]


def action_problems(due: date, held_on: date) -> list[SuperviseError]:
    if due < held_on:
        return [UsageError(f"The due date {due} is before the session ({held_on}).")]
    return []


def review_problems(action_id: int | None, status: str, *, outcome: str | None = None,
                    due: date | None = None, held_on: date | None = None,
                    ) -> list[SuperviseError]:
    """An action is reviewed while it is open; one carried forward gets its new due date
    (not before the session reviewing it)."""
    if status != "open":
        return [SuperviseError(f"Action {action_id} is already {status}; nothing was changed.")]
    if outcome == "carried" and due is None:
        return [UsageError(f"Action {action_id} is carried forward: give it its new due date.",
                           Hint.of("carried_needs_due", action=action_id))]
    if due is not None and held_on is not None and due < held_on:
        return [UsageError(f"The new due date {due} of action {action_id} is before the "
                           f"session ({held_on}).")]
    return []


def action_owner_problems(*, staff: bool, contact: str | None,
                          role: str | None) -> list[SuperviseError]:
    """An action has exactly one owner: a member of staff, or a named contact with their role
    or organisation (a social worker, a parent, a nursery key person)."""
    if staff and contact:
        return [UsageError("An action has one owner: a member of staff or a contact, not both.")]
    if not staff and not (contact and contact.strip()):
        return [UsageError("An action needs an owner: a member of staff or a named contact.")]
    if contact and not (role and role.strip()):
        return [UsageError(f"Say who {contact} is (their role or organisation), as they are "
                           "not on the staff list.")]
    return []


def next_meeting_fits(day: date, held_on: date) -> bool:
    """The next meeting is after the session."""
    return day > held_on


@dataclass(frozen=True)
class CaseFacts:
    """A case discussion as completion sees it: its position, family, answers, and its
    decision record's answers and template when it has one."""

    position: int
    family: str | None
    answers: dict[str, Any]
    decision: dict[str, Any] | None = None
    decision_template: Template | None = None


@dataclass(frozen=True)
class Unanswered:
    """A required question not answered yet: a top-level section (`part` "section"), a case
    discussion's field ("case") or its decision record's ("decision"). `section` is the agenda
    section it is under (the cases section for a case's fields), `field` the question's id."""

    part: str
    section: str
    field: str
    title: str
    case: int | None = None
    family: str | None = None

    def said(self) -> str:
        if self.part == "section":
            return self.title
        where = f"case {self.case} ({family_words(self.family)})"
        if self.part == "decision":
            where += ", its decision record"
        return f"{where}: {self.title}"


def _blank(value: Any) -> bool:
    """Not answered: nothing, empty text or no choice (text of any kind is kept as given)."""
    return value is None or value == "" or value == []


def unanswered(template: Template, answers: dict[str, Any],
               cases: Sequence[CaseFacts]) -> list[Unanswered]:
    """Every required question still unanswered, in agenda order: each section, and at the
    cases section each case in turn (its fields, then its decision record's)."""
    found: list[Unanswered] = []
    for section in template.sections:
        if section.type in FIELD_TYPES:
            if section.required and section.applies(answers) and \
                    _blank(answers.get(section.id)):
                found.append(Unanswered("section", section.id, section.id, section.title))
            continue
        if section.type != "cases":
            continue
        for case in sorted(cases, key=lambda c: c.position):
            found += [Unanswered("case", section.id, f.id, f.title, case.position, case.family)
                      for f in section.fields if f.required and f.applies(case.answers)
                      and _blank(case.answers.get(f.id))]
            if case.decision is not None and case.decision_template is not None:
                found += [Unanswered("decision", section.id, d.id, d.title, case.position,
                                     case.family)
                          for d in case.decision_template.sections
                          if d.type in FIELD_TYPES and d.required
                          and _blank(case.decision.get(d.id))]
    return found


def completion_problems(*, session_id: int | None, template: Template, answers: dict[str, Any],
                        cases: Sequence[CaseFacts], next_meeting: date | None,
                        held_on: date) -> list[SuperviseError]:
    """What stops a draft being completed, in the order it is told: required answers missing,
    a next meeting not after the session, then required answers missing in a case discussion
    or its decision record (each named by the case's position and family)."""
    problems: list[SuperviseError] = []
    missing = unanswered(template, answers, cases)
    top = [m.said() for m in missing if m.part == "section"]
    if top:
        problems.append(_still_needs(session_id, top))
    if next_meeting and not next_meeting_fits(next_meeting, held_on):
        problems.append(UsageError(f"The next meeting ({next_meeting}) is not after the session "
                                   f"({held_on})."))
    in_cases = [m.said() for m in missing if m.part != "section"]
    if in_cases:
        problems.append(_still_needs(session_id, in_cases))
    return problems


def _still_needs(session_id: int | None, missing: list[str]) -> SuperviseError:
    return UsageError(f"Session {session_id} still needs: {'; '.join(missing)}.",
                      Hint.of("resume_session", session=session_id))


def functions_covered(template: Template, answers: dict[str, Any],
                      has: dict[str, bool],
                      case_answers: Sequence[dict[str, Any]] = ()) -> list[str]:
    """The supervision functions of the sections actually answered (cases, actions and the
    action review count when there are any), and of each case question that any case
    discussion answered (`case_answers`: each case's answers)."""
    covered: dict[str, None] = {}
    for section in template.sections:
        answered = (section.id in answers and answers[section.id] not in (None, "", [])) \
            if section.type in FIELD_TYPES else has.get(section.type, False)
        if answered:
            covered.update(dict.fromkeys(section.functions))
        if section.type == "cases":
            for field in section.fields:
                if any(not _blank(given.get(field.id)) for given in case_answers):
                    covered.update(dict.fromkeys(field.functions))
    return list(covered)
