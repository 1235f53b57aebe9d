"""A contract's answers file (SPEC §5: the session file's form, for a contract template):
top-level keys for the contract's terms, `[answers]` for the template's questions."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.answers import Problems, as_date, check_name
from supervise.domain.policy.frequency import Frequency, parse_frequency
from supervise.domain.text import clean_line
from supervise.errors import SuperviseError

KEYS = ("template", "supervisee", "supervisor", "kind", "frequency", "start", "review",
        "duration", "venue", "answers")


@dataclass
class ContractGiven:
    """What the file (or the flags) said; None where it said nothing."""

    template: str | None = None
    supervisee: str | None = None
    supervisor: str | None = None
    kind: str | None = None
    frequency: Frequency | None = None
    start: date | None = None
    review: date | None = None
    duration: int | None = None
    venue: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)


def check_contract_file(data: dict[str, Any], problems: Problems) -> ContractGiven:
    for key in data:
        if key not in KEYS:
            problems.add(key, f"unknown key; the keys are {', '.join(KEYS)}")
    given = ContractGiven()
    for key in ("template", "kind"):
        if key in data:
            if isinstance(data[key], str) and data[key].strip():
                setattr(given, key, data[key].strip())
            else:
                problems.add(key, "must be text in quotes")
    for key in ("supervisee", "supervisor"):
        if key in data:
            setattr(given, key, check_name(data[key], key, problems))
    if "frequency" in data:
        try:
            given.frequency = parse_frequency(str(data["frequency"]))
        except SuperviseError as error:
            problems.add("frequency", error)
    for key in ("start", "review"):
        if key in data:
            setattr(given, key, as_date(data[key], key, problems))
    if "duration" in data:
        duration = data["duration"]
        if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 600:
            problems.add("duration", "must be the expected length in minutes, e.g. 60")
        else:
            given.duration = duration
    if "venue" in data:
        try:
            given.venue = clean_line(str(data["venue"]), "venue")
        except SuperviseError as error:
            problems.add("venue", error)
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        problems.add("answers", "must be a table, written [answers]")
    else:
        given.answers = answers
    return given
