"""The rules a session record is held to while it is written (SPEC §2, §4), pure: the store
gathers the facts (dates, ids, the template and what is answered, the policy, `today`), asks
these, raises the first problem and writes only when there is none."""

from datetime import date
from typing import Any

from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import FIELD_TYPES, Template
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


def review_problems(action_id: int | None, status: str) -> list[SuperviseError]:
    """An action is reviewed while it is open."""
    if status == "open":
        return []
    return [SuperviseError(f"Action {action_id} is already {status}; nothing was changed.")]


def next_meeting_fits(day: date, held_on: date) -> bool:
    """The next meeting is after the session."""
    return day > held_on


def completion_problems(*, session_id: int | None, template: Template, answers: dict[str, Any],
                        cases: list[tuple[int, dict[str, Any]]], next_meeting: date | None,
                        held_on: date) -> list[SuperviseError]:
    """What stops a draft being completed, in the order it is told: required answers missing,
    a next meeting not after the session, then required case answers missing. `cases`: each
    case discussion's position and answers."""
    problems: list[SuperviseError] = []
    missing = [s.title for s in template.sections
               if s.required and s.type in FIELD_TYPES and answers.get(s.id) in (None, "", [])]
    if missing:
        problems.append(_still_needs(session_id, missing))
    if next_meeting and not next_meeting_fits(next_meeting, held_on):
        problems.append(UsageError(f"The next meeting ({next_meeting}) is not after the session "
                                   f"({held_on})."))
    case_field = template.of_type("cases")
    in_cases = [f"case {position}: {f.title}" for position, given in cases
                for f in (case_field.fields if case_field else ())
                if f.required and given.get(f.id) in (None, "", [])]
    if in_cases:
        problems.append(_still_needs(session_id, in_cases))
    return problems


def _still_needs(session_id: int | None, missing: list[str]) -> SuperviseError:
    return UsageError(f"Session {session_id} still needs: {'; '.join(missing)}.",
                      Hint.of("resume_session", session=session_id))


def functions_covered(template: Template, answers: dict[str, Any],
                      has: dict[str, bool]) -> list[str]:
    """The supervision functions of the sections actually answered (cases, actions and the
    action review count when there are any)."""
    covered: dict[str, None] = {}
    for section in template.sections:
        answered = (section.id in answers and answers[section.id] not in (None, "", [])) \
            if section.type in FIELD_TYPES else has.get(section.type, False)
        if answered:
            covered.update(dict.fromkeys(section.functions))
    return list(covered)
