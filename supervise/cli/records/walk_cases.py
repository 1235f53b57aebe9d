"""The case discussions of the walk: the family, each child as the register knows them (with
their own status, since when and local reference), the case's questions and its decision record.
A discussion may name no family: an experience shared (a theme, an incident) with no child."""

from datetime import date
from typing import Any

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.context import catalog
from supervise.cli.hints import rendered
from supervise.cli.output import fits, out
from supervise.cli.questions import ask
from supervise.cli.records.walk_asking import Walk, ask_date, ask_needed
from supervise.clock import now
from supervise.domain.dates import parse_date
from supervise.domain.policy.templates import FIELD_TYPES, Section
from supervise.domain.records.session_file import STATUSES
from supervise.domain.rows import ChildRow
from supervise.domain.wording import family_words, status_label, uk_date
from supervise.errors import SuperviseError

STATUS_CHOICES = list(STATUSES)
FIRST_CASE = "Discuss a family or child, or share an experience?"
ANOTHER_CASE = "Another family, child or experience?"
FAMILY = "Family name (blank for an experience about no one family):"

def cases(w: Walk, section: Section) -> None:
    saved = drafting.cases_so_far(w.store, w.record_id)
    out.paragraph(f"\n{section.title}" + (f" ({len(saved)} recorded)" if saved else ""))
    for position, family, answers in saved:  # a case left half-way is finished first
        if any(f.id not in answers for f in section.fields):
            out.message(f"Case {position} ({family_words(family)}) continues.")
            _case_fields(w, section, position, answers, family is not None)
    count = len(saved)
    question = ANOTHER_CASE if count else FIRST_CASE
    while prompts.confirm(question, hint="use [[cases]] in an answers file.", default=not count):
        count += 1
        _one_case(w, section, count)
        question = ANOTHER_CASE


def _child(w: Walk, hint: str, family: str, names: list[str]) -> dict[str, Any]:
    """A child as the register knows them: picked when the name is shared, else new."""
    name = ask_needed("Child's full name:", hint, names)
    known = drafting.children_named(w.store, name)
    if known:
        labels = [fits(_as_registered(c)) for c in known]
        picked = prompts.choice("Which child?", [*labels, "Another child of that name"],
                                hint=hint, default=labels[0])
        if picked in labels:
            return _registered(known[labels.index(picked)])
    while True:
        raw = prompts.text("Date of birth (YYYY-MM-DD, blank if unknown):", hint=hint).strip()
        try:
            dob = parse_date(raw, "the date of birth") if raw else None
        except SuperviseError as error:
            out.paragraph(f"{rendered(error)}", indent="  ")
            continue
        if dob and dob > now().date():
            out.paragraph("That date is in the future.", indent="  ")
            continue
        break
    near = drafting.near_children(w.store, name, dob, family)
    if near:
        labels = [fits(_as_registered(c)) for c in near]
        new = f"No: {name} is another child"
        picked = prompts.choice(f"Did you mean one already on the register? ({name} looks like "
                                f"{'them' if len(near) > 1 else 'this child'})",
                                [*labels, new], hint="add new = true to that child's entry.",
                                default=labels[0])
        if picked != new:
            return _registered(near[labels.index(picked)])
    return {"name": name, "dob": dob.isoformat() if dob else None, "new": True}


def _as_registered(c: ChildRow) -> str:
    """`Aisha Begum, born 20 November 2015, Begum family, Early Help, ref EH-12`."""
    return ", ".join([c["name"], f"born {uk_date(c['dob'])}" if c["dob"] else "born unknown",
                      family_words(c["family"]) if c["family"] else "no family",
                      status_label(c["status"]), *([f"ref {c['ref']}"] if c["ref"] else [])])


def _registered(c: ChildRow) -> dict[str, Any]:
    """A child picked from the register, with what it knows (offered, not assumed)."""
    return {"id": c["id"], "name": c["name"], "status": c["status"],
            "status_since": c["status_since"], "register_ref": c["ref"]}


def _one_case(w: Walk, section: Section, position: int) -> None:
    hint = "use [[cases]] in an answers file."
    known = drafting.child_candidates(w.store)  # type-ahead: the register's families, children
    family = prompts.name(FAMILY, known.families, hint=hint).strip()
    if not family:
        out.paragraph("An experience shared: no family or child is named in it.", indent="  ")
        drafting.record_case(w.store, w.record_id, position=position, family=None,
                             children=[], status=None)
        _case_fields(w, section, position, {}, False)
        return
    names = _family_first(known.children, family)
    children = [_child(w, hint, family, names)]
    while prompts.confirm("Another child in this family?", hint=hint):
        children.append(_child(w, hint, family, names))
    for child in children:  # each child's own status, and since when (a plan's start)
        current = child.get("status") or "none"
        labels = list(STATUSES.values())
        picked = prompts.choice(f"{child['name']}'s status now:", labels, hint=hint,
                                default=STATUSES.get(current, labels[0]))
        child["own_status"] = STATUS_CHOICES[labels.index(picked)]
        if child["own_status"] != "none":  # the register's date while the status holds
            known = child.pop("status_since", None)
            since = date.fromisoformat(known) if known and child["own_status"] == current \
                else w.draft.held_on
            child["since"] = ask_date(f"{child['name']}: {picked} since:", since,
                                      hint).isoformat()
        child.pop("status_since", None)
        registered = child.pop("register_ref", None) or ""
        ref = prompts.text(f"{child['name']}'s local reference (blank if none):",
                           hint=hint, default=registered).strip()
        if ref and ref != registered:
            child["ref"] = ref
    drafting.record_case(w.store, w.record_id, position=position, family=family,
                         children=children, status=None)
    _case_fields(w, section, position, {}, True)


def _family_first(children: list[ChildRow], family: str) -> list[str]:
    """Children's names for type-ahead, this family's first, each name once."""
    same = [c["name"] for c in children if (c["family"] or "").casefold() == family.casefold()]
    return list(dict.fromkeys(same + [c["name"] for c in children]))


def _case_fields(w: Walk, section: Section, position: int, answers: dict[str, Any],
                 about_children: bool) -> None:
    for field in section.fields:
        if field.id in answers:
            continue
        # blanks saved as None; so is a question whose yes/no (its `when`) was answered no
        answers[field.id] = ask(field, field.default, w.names) if field.applies(answers) \
            else None
        drafting.record_case_answer(w.store, w.record_id, position, field.id, answers)
    if about_children and prompts.confirm("Record a decision for the child's file?",
                       hint="use [cases.decision] in an answers file."):
        _decision(w, position, answers)


def _decision(w: Walk, position: int, case: dict[str, Any]) -> None:
    """The decision record, each question offered what the case discussion already says under
    the same id (its management decision, say), so nothing is typed twice."""
    template = drafting.decision_template(w.store, catalog())
    answers: dict[str, Any] = {}
    for field in template.sections:
        if field.type not in FIELD_TYPES:
            continue
        said = case.get(field.id)
        value = ask(field, said if isinstance(said, str) and said else field.default, w.names)
        if value is not None:
            answers[field.id] = value
            drafting.record_decision(w.store, w.record_id, position, template, answers)

