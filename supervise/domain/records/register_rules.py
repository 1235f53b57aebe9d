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


def child_problems(dob: date | None, today: date) -> list[SuperviseError]:
    if dob is not None and dob > today:
        return [UsageError(f"The date of birth {dob} is in the future: check it.")]
    return []
