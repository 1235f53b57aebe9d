"""The session answers file of SPEC §5, checked against its template before anything is stored.

Names are checked for form here; whether they are people in the store is the store's question.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.answers import Problems, as_date, check_answers, check_name
from supervise.domain.names import name_key
from supervise.domain.policy.templates import Template
from supervise.domain.text import clean_line
from supervise.errors import Hint, SuperviseError

TOP_KEYS = ("template", "date", "time", "kind", "supervisor", "supervisees", "duration",
            "next_meeting", "answers", "cases", "actions", "action_review",
            "group_confidentiality", "concern_lead")
# What every group record says (SPEC §2), asked as these ids unless the template asks them.
GROUP_KEYS = {"group_confidentiality": "the confidentiality boundaries the group agreed",
              "concern_lead": "who takes forward any immediate safeguarding concern"}
STATUSES = {
    "none": "None",
    "early-help": "Early Help",
    "child-in-need": "Child in Need",
    "child-protection": "Child Protection Plan",
    "looked-after": "Child Looked After",
}
OUTCOMES = ("done", "carried", "dropped")


def status_words(status: str | None, since: Any = None) -> str:
    """A status as a reviewer reads it: "Child Protection Plan since 2026-01-10"."""
    label = STATUSES.get(status or "", status or "not recorded")
    when = since.isoformat() if isinstance(since, date) else since
    return f"{label} since {when}" if when else label


def child_words(child: Mapping[str, Any]) -> str:
    """A child of a case as one line: name, date of birth, and (in records that say it) their
    own status, since when and local reference."""
    dob = child.get("dob")
    facts = [f"born {dob.isoformat() if isinstance(dob, date) else dob}" if dob
             else "date of birth not known"]
    if "status" in child:
        facts.append(status_words(child["status"], child.get("since")))
        if child.get("ref"):
            facts.append(f"ref {child['ref']}")
    return f"{child['name']} ({'; '.join(facts)})"
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


CHILD_KEYS = ("name", "dob", "status", "since", "ref", "new")


@dataclass
class CaseAnswers:
    family: str | None  # None: an experience shared about no one family, and no child
    # Each child: name, dob (ISO or None); optional own_status, since (ISO), ref, new (True).
    children: list[dict[str, Any]]
    status: str | None  # None: the children's status stays as the register has it
    answers: dict[str, Any]
    decision: dict[str, Any] | None = None


@dataclass
class ActionAnswer:
    text: str
    owner: str  # a member of staff, or (with owner_role) a named contact
    due: date
    case: int | None = None
    owner_role: str | None = None  # a contact's role or organisation: not on the staff list
    notes: str | None = None  # the note of the discussion it came from
    item: str | None = None  # the agenda item (section id) it was agreed under


@dataclass
class ReviewAnswer:
    action: int
    outcome: str
    note: str = ""
    due: date | None = None  # a carried action's new due date


@dataclass
class SessionAnswers:
    held_on: date
    time: str | None
    kind: str
    supervisor: str | None
    supervisees: list[str]
    duration: int | None
    next_meeting: date | None
    answers: dict[str, Any]
    cases: list[CaseAnswers] = field(default_factory=list)
    actions: list[ActionAnswer] = field(default_factory=list)
    reviews: list[ReviewAnswer] = field(default_factory=list)
    group: dict[str, str] = field(default_factory=dict)


def parse_status(value: Any, where: str, problems: Problems) -> str | None:
    if isinstance(value, str):
        key = value.strip().casefold()
        for code, label in STATUSES.items():
            if key in (code, label.casefold()):
                return code
    problems.add(where, f"{value!r} is not a status; use one of {', '.join(STATUSES)}")
    return None


def check_session_file(template: Template, data: dict[str, Any], today: date,
                       problems: Problems, decision: Template | None = None) -> SessionAnswers:
    for key in data:
        if key not in TOP_KEYS:
            problems.add(key, f"unknown key; the keys are {', '.join(TOP_KEYS)}")
    if data.get("template", template.id) != template.id:
        problems.add("template", f"is {data['template']!r} but the session uses {template.id!r}")
    held_on = as_date(data["date"], "date", problems) if "date" in data else today
    time = data.get("time")
    if time is not None and not (isinstance(time, str) and TIME_PATTERN.match(time)):
        problems.add("time", "must be a time of day as HH:MM, e.g. \"14:30\"")
        time = None
    kind = data.get("kind", "one-to-one")
    if kind not in template.session_kinds:
        problems.add("kind", f"{kind!r} is not a session kind for {template.id}; use one of "
                             f"{', '.join(template.session_kinds)}")
    supervisor = check_name(data["supervisor"], "supervisor", problems) \
        if "supervisor" in data else None
    supervisees = _supervisees(data.get("supervisees"), kind, problems)
    if supervisor and name_key(supervisor) in {name_key(n) for n in supervisees}:
        problems.add("supervisor", f"{supervisor} cannot supervise themselves")
    duration = data.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)
                                 or not 1 <= duration <= 600):
        problems.add("duration", "must be the length in minutes, from 1 to 600, e.g. 90")
        duration = None
    next_meeting = None
    if "next_meeting" in data:
        next_meeting = as_date(data["next_meeting"], "next_meeting", problems)
        if next_meeting and held_on and next_meeting <= held_on:
            problems.add("next_meeting", f"{next_meeting} is not after the session date "
                                         f"{held_on}: give a later date")
    if held_on and held_on > today:
        problems.add("date", f"{held_on} is in the future: a session is recorded once held")
    answers = check_answers(template, data.get("answers"), problems)
    cases = _cases(template, decision, data.get("cases", []), problems, today,
                   held_on or today)
    actions = _actions(data.get("actions", []), len(cases), held_on, problems, template)
    reviews = _reviews(data.get("action_review", []), problems, held_on)
    for key, section_type in (("cases", "cases"), ("actions", "actions"),
                              ("action_review", "action_review")):
        if data.get(key) and template.of_type(section_type) is None:
            problems.add(key, f"{template.id} has no {section_type} section; remove them")
    return SessionAnswers(
        held_on=held_on or today, time=time, kind=kind, supervisor=supervisor,
        supervisees=supervisees, duration=duration, next_meeting=next_meeting, answers=answers,
        cases=cases, actions=actions, reviews=reviews,
        group=_group(template, data, kind, answers, problems),
    )


def _group(template: Template, data: dict[str, Any], kind: str, answers: dict[str, Any],
           problems: Problems) -> dict[str, str]:
    """A group record's confidentiality boundaries and concern lead: from the template's own
    sections if it has them, else from the top-level keys of the same names."""
    group = {}
    for key, what in GROUP_KEYS.items():
        if template.section(key) is not None:
            if kind == "group" and key not in answers:
                problems.add(f"answers.{key}", f"a group session records {what}")
            continue
        value = data.get(key)
        if kind != "group":
            if value is not None:
                problems.add(key, "only a group session records this; remove it")
            continue
        checked = check_name(value, key, problems) if key == "concern_lead" and value \
            else value
        if not isinstance(checked, str) or not checked.strip():
            problems.add(key, f"a group session records {what}: add {key} = \"…\"")
        else:
            group[key] = checked
    return group


def _list_of_tables(value: Any, key: str, problems: Problems) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.add(key, f"must be a list of tables, written [[{key}]]")
        return []
    return value


def _supervisees(value: Any, kind: str, problems: Problems) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        problems.add("supervisees", 'must be a list of names, e.g. ["Sam Taylor"]')
        return []
    names = [n for i, v in enumerate(value)
             if (n := check_name(v, f"supervisees[{i + 1}]", problems))]
    if len({name_key(n) for n in names}) != len(names):
        problems.add("supervisees", "a name is listed twice: list each supervisee once")
    if kind == "group" and len(value) < 2:
        problems.add("supervisees", "a group session has two or more supervisees")
    if kind != "group" and len(value) > 1:
        problems.add("supervisees", f"a {kind} session has one supervisee; "
                                    f'for several, set kind = "group"')
    return names


def _cases(template: Template, decision: Template | None, value: Any,
           problems: Problems, today: date, held_on: date) -> list[CaseAnswers]:
    section = template.of_type("cases")
    cases = []
    for number, case in enumerate(_list_of_tables(value, "cases", problems), start=1):
        where = f"cases[{number}]"
        family, children = _family(case, where, problems), []
        if family is not None:
            children = _children(case.get("children"), where, problems, today, held_on)
        elif case.get("children"):
            problems.add(f"{where}.family", 'give the children\'s family = "…" (a case with no '
                                            "family is an experience shared, naming no child)")
        status = parse_status(case["status"], f"{where}.status", problems) \
            if "status" in case else None
        answers = check_answers(template, case.get("answers"), problems, f"{where}.answers",
                                fields=section.fields if section else ())
        decided = None
        if case.get("decision") is not None:
            if not children:
                problems.add(f"{where}.decision", "a decision record is for a child's file: "
                                                  "name the family and children")
            elif decision is None:
                problems.add(f"{where}.decision", "no decision template is set in the policy")
            else:
                decided = check_answers(decision, case["decision"], problems,
                                        f"{where}.decision")
        cases.append(CaseAnswers(family=family, children=children,
                                 status=status, answers=answers, decision=decided))
    return cases


def _family(case: dict[str, Any], where: str, problems: Problems) -> str | None:
    """The case's family; None (no key, or blank) for an experience shared about no one
    family, such as a whole-school theme."""
    given = case.get("family")
    if given is None or (isinstance(given, str) and not given.strip()):
        return None
    try:
        return clean_line(given if isinstance(given, str) else "", "family's name")
    except SuperviseError as error:
        problems.add(f"{where}.family", error)
        return ""


def _children(value: Any, where: str, problems: Problems, today: date,
              held_on: date) -> list[dict[str, Any]]:
    children = []
    for number, child in enumerate(_list_of_tables(value or [], f"{where}.children", problems),
                                   start=1):
        at = f"{where}.children[{number}]"
        for key in child:
            if key not in CHILD_KEYS:
                problems.add(f"{at}.{key}", f"unknown key; a child's keys are "
                                            f"{', '.join(CHILD_KEYS)}")
        name = check_name(child.get("name"), f"{at}.name", problems)
        dob = as_date(child["dob"], f"{at}.dob", problems) if child.get("dob") else None
        if dob and dob > today:
            problems.add(f"{at}.dob", f"{dob} is in the future")
            dob = None
        status = parse_status(child["status"], f"{at}.status", problems) \
            if "status" in child else None
        since = as_date(child["since"], f"{at}.since", problems) if child.get("since") else None
        if since and since > held_on:
            problems.add(f"{at}.since", f"{since} is after the session date {held_on}: give "
                                        "the date the status began (a plan's start)")
            since = None
        elif since and dob and since < dob:
            problems.add(f"{at}.since", f"{since} is before the child's date of birth {dob}")
            since = None
        if since and "status" not in child:
            problems.add(f"{at}.since", "say which status it dates: add status = \"…\"")
        ref = _optional_line(child, "ref", "local reference", at, problems)
        new = child.get("new", False)
        if not isinstance(new, bool):
            problems.add(f"{at}.new", "must be true or false")
            new = False
        if name:
            named: dict[str, Any] = {"name": name, "dob": dob.isoformat() if dob else None}
            if status:
                named["own_status"] = status
            if since:
                named["since"] = since.isoformat()
            if ref:
                named["ref"] = ref
            if new:
                named["new"] = True
            children.append(named)
    if value is None or not children:
        problems.add(f"{where}.children", 'name at least one child: children = [{name = "…"}]')
    return children


def _optional_line(table: dict, key: str, what: str, where: str,
                   problems: Problems) -> str | None:
    """An optional one-line text (a reference, a role): cleaned, or a problem and None."""
    value = table.get(key)
    if value is None:
        return None
    try:
        return clean_line(value if isinstance(value, str) else "", what)
    except SuperviseError as error:
        problems.add(f"{where}.{key}", error)
        return None


ACTION_KEYS = ("text", "owner", "owner_role", "due", "case", "item", "notes")


def _actions(value: Any, case_count: int, held_on: date | None, problems: Problems,
             template: Template) -> list[ActionAnswer]:
    actions = []
    for number, action in enumerate(_list_of_tables(value, "actions", problems), start=1):
        where = f"actions[{number}]"
        for key in action:
            if key not in ACTION_KEYS:
                problems.add(f"{where}.{key}", f"unknown key; an action's keys are "
                                               f"{', '.join(ACTION_KEYS)}")
        text = action.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{where}.text", "say what is to be done")
        owner = check_name(action.get("owner"), f"{where}.owner", problems)
        due = as_date(action.get("due"), f"{where}.due", problems)
        if due and held_on and due < held_on:
            problems.add(f"{where}.due", f"{due} is before the session date {held_on}")
        case = action.get("case")
        if case is not None and (isinstance(case, bool) or not isinstance(case, int)
                                 or not 1 <= case <= case_count):
            problems.add(f"{where}.case", f"must be a case number from 1 to {case_count}")
            case = None
        role = _optional_line(action, "owner_role", "owner's role", where, problems)
        item = action.get("item")
        if item is not None and (not isinstance(item, str) or template.section(item) is None):
            problems.add(f"{where}.item", f"{item!r} is not an item of {template.id}; use a "
                                          f"section id: "
                                          f"{', '.join(s.id for s in template.sections)}")
            item = None
        if item is not None and case is not None:
            problems.add(f"{where}.item", "an action is about a case or an agenda item: give "
                                          "case or item, not both")
        notes = action.get("notes")
        if notes is not None and not isinstance(notes, str):
            problems.add(f"{where}.notes", "must be text in quotes")
            notes = None
        if isinstance(text, str) and text.strip() and owner and due:
            actions.append(ActionAnswer(text=text, owner=owner, due=due, case=case,
                                        owner_role=role, item=item, notes=notes or None))
    return actions


def _reviews(value: Any, problems: Problems, held_on: date | None) -> list[ReviewAnswer]:
    reviews: list[ReviewAnswer] = []
    for number, review in enumerate(_list_of_tables(value, "action_review", problems), start=1):
        where = f"action_review[{number}]"
        action = review.get("action")
        if isinstance(action, bool) or not isinstance(action, int) or action < 1:
            problems.add(f"{where}.action", "must be an action's number",
                         Hint.of("see_action_list_bare"))
        outcome = review.get("outcome")
        if outcome not in OUTCOMES:
            problems.add(f"{where}.outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
        note = review.get("note", "")
        if not isinstance(note, str):
            problems.add(f"{where}.note", "must be text in quotes")
        due = as_date(review["due"], f"{where}.due", problems) if "due" in review else None
        if outcome == "carried" and "due" not in review:
            problems.add(f"{where}.due", "a carried action needs its new due date: add "
                                         "due = \"YYYY-MM-DD\"")
        elif "due" in review and outcome != "carried":
            problems.add(f"{where}.due", f"only a carried action is given a new due date, "
                                         f"not one {outcome}")
            due = None
        if due and held_on and due < held_on:
            problems.add(f"{where}.due", f"{due} is before the session date {held_on}")
            due = None
        if any(r.action == action for r in reviews):
            problems.add(f"{where}.action", f"action {action} is reviewed twice: once is enough")
        elif isinstance(action, int) and outcome in OUTCOMES and isinstance(note, str):
            reviews.append(ReviewAnswer(action=action, outcome=outcome, note=note, due=due))
    return reviews
