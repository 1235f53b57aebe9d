"""The rules a person's and a child's details are held to, pure: the store gathers the facts,
raises the first problem and writes only when there is none."""

from dataclasses import dataclass
from datetime import date

from supervise.errors import Hint, SuperviseError, UsageError


@dataclass(frozen=True)
class PersonDates:
    start_date: date | None
    left_date: date | None
    is_supervisor: bool
    supervisor_trained_on: date | None
    supervisor_since: date | None
    newly_qualified_on: date | None


def person_problems(person: PersonDates, today: date) -> list[SuperviseError]:
    """Dates that have not happened yet, supervisor dates for someone who does not supervise,
    and a leaving date before the start."""
    problems: list[SuperviseError] = []
    for value, label in ((person.supervisor_trained_on, "training date"),
                         (person.supervisor_since, "date they became a supervisor"),
                         (person.newly_qualified_on, "qualification date")):
        if value and value > today:
            problems.append(UsageError(f"The {label} {value} is in the future: give the date "
                                       f"it happened."))
    if (person.supervisor_trained_on or person.supervisor_since) and not person.is_supervisor:
        problems.append(UsageError("", Hint.of("add_supervisor_for_training_dates")))
    if person.left_date and person.start_date and person.left_date < person.start_date:
        problems.append(UsageError(f"The leaving date {person.left_date} is before the start "
                                   f"date {person.start_date}."))
    return problems


def child_problems(dob: date | None, today: date,
                   since: date | None = None) -> list[SuperviseError]:
    """A date of birth that has not happened; a status dated in the future or before birth."""
    if dob is not None and dob > today:
        return [UsageError(f"The date of birth {dob} is in the future: check it.")]
    if since is not None and since > today:
        return [UsageError(f"The status date {since} is in the future: give the date it "
                           "began.")]
    if since is not None and dob is not None and since < dob:
        return [UsageError(f"The status date {since} is before the date of birth {dob}.")]
    return []


def case_child_problems(name: str, *, since: date | None, held_on: date,
                        dob: date | None) -> list[SuperviseError]:
    """A child's status in a case discussion dates from when it began (a plan's start, as the
    user gives it): not after the session, nor before the child was born."""
    problems: list[SuperviseError] = []
    if since is not None and since > held_on:
        problems.append(UsageError(f"{name}'s status since {since} is after the session "
                                   f"({held_on}): give the date it began."))
    if since is not None and dob is not None and since < dob:
        problems.append(UsageError(f"{name}'s status since {since} is before their date of "
                                   f"birth ({dob})."))
    return problems
