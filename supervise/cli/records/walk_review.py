"""The review before a session is completed: every answer, what is still required, and a way
back to any answer."""

from typing import Any

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.context import catalog
from supervise.cli.output import fits, out
from supervise.cli.questions import ask
from supervise.cli.records.walk_asking import Walk, short
from supervise.domain.policy.templates import FIELD_TYPES, Section, Template
from supervise.domain.wording import case_label, family_words

COMPLETE = "Complete the session"

ANSWER_MISSING = "Answer what is still needed"

CHANGE = "Go back and change an answer"

STOP = "Stop here (it stays a draft; resume goes on)"



def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "(blank)" if value in (None, "", []) else short(value)


def _label(section: Section) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def review(w: Walk, template: Template) -> None:
    """The whole record before it is completed: every answer, what is still required, and a
    way back to any answer. Returns when the user completes it; Stop raises KeyboardInterrupt
    (the draft is kept, as at Ctrl-C)."""
    hint = "record the session from an answers file (--answers) to skip the review."
    fields = [s for s in template.sections if s.type in FIELD_TYPES]
    while True:
        answered = drafting.open_draft(w.store, w.record_id).answered
        out.paragraph("\n== Review before completing ==")
        for section in fields:
            value = answered.get(section.id)
            out.paragraph(f"{_label(section)}: {_shown(value)}", indent="  ")
        cases = drafting.cases_so_far(w.store, w.record_id)
        if cases:
            out.paragraph("Cases: " + ", ".join(f"{p}. {family_words(f)}" for p, f, _ in cases),
                          indent="  ")
        missing = drafting.missing_answers(w.store, w.record_id)
        if missing:
            out.paragraph("Still needed before it can be completed: "
                          + "; ".join(m.said() for m in missing))
        options = [ANSWER_MISSING if missing else COMPLETE, CHANGE, STOP]
        picked = prompts.choice("What now?", options, hint=hint, default=options[0])
        if picked == COMPLETE:
            return
        if picked == STOP:
            raise KeyboardInterrupt
        if picked == ANSWER_MISSING:
            _answer_missing(w, template, missing)
            continue
        labels = [fits(_label(s)) for s in fields]  # one line each in the list
        of_case = {fits(f"A question of {case_label(p, f)}"): p for p, f, _ in cases}
        picked = prompts.choice("Which answer?", [*labels, *of_case], hint=hint)
        if picked in of_case:
            _change_case_answer(w, template, of_case[picked], hint)
            continue
        section = fields[labels.index(picked)]
        current = answered.get(section.id)
        value = ask(section, current if current not in (None, "", []) else section.default,
                    w.names)
        drafting.record_answer(w.store, w.record_id, section.id, value)
        for later in fields:  # a question its yes/no no longer asks is left blank
            if later.when == section.id and value is not True:
                drafting.record_answer(w.store, w.record_id, later.id, None)


def _change_case_answer(w: Walk, template: Template, position: int, hint: str) -> None:
    """One answer of a case discussion asked again, its earlier answer offered; a question
    its yes/no no longer asks is left blank."""
    section = template.of_type("cases")
    answers = next(a for p, _, a in drafting.cases_so_far(w.store, w.record_id) if p == position)
    fields = list(section.fields) if section else []
    labels = [fits(f"{f.title}: {_shown(answers.get(f.id))}") for f in fields]
    field = fields[labels.index(prompts.choice(f"Which answer of case {position}?", labels,
                                               hint=hint))]
    if not field.applies(answers):
        above = next((f.title for f in fields if f.id == field.when), field.when)
        out.paragraph(f"Not asked: it follows a yes to \"{above}\"; change that first.",
                      indent="  ")
        return
    current = answers.get(field.id)
    answers[field.id] = ask(field, current if current not in (None, "", []) else field.default,
                            w.names)
    for later in fields:
        if later.when == field.id and answers[field.id] is not True:
            answers[later.id] = None
    drafting.record_case_answer(w.store, w.record_id, position, field.id, answers)


def _answer_missing(w: Walk, template: Template, missing: list[Any]) -> None:
    """Each required answer still missing, asked where it belongs: a section, a case's
    question, or its decision record's."""
    cases = {position: answers for position, _, answers in
             drafting.cases_so_far(w.store, w.record_id)}
    decision = drafting.decision_template(w.store, catalog())
    for gap in missing:
        out.paragraph(f"Still needed: {gap.said()}")
        if gap.part == "section":
            section = template.section(gap.field)
            assert section is not None
            drafting.record_answer(w.store, w.record_id, gap.field,
                                   ask(section, section.default, w.names))
        elif gap.part == "case":
            cases_section = template.section(gap.section)
            spec = next(f for f in cases_section.fields if f.id == gap.field) \
                if cases_section else None
            if spec is None or gap.case is None:
                continue
            answers = cases[gap.case]
            answers[gap.field] = ask(spec, spec.default, w.names)
            drafting.record_case_answer(w.store, w.record_id, gap.case, gap.field, answers)
        elif gap.case is not None:
            spec = next((f for f in decision.sections if f.id == gap.field), None)
            if spec is None:
                continue
            answers = drafting.decision_so_far(w.store, w.record_id, gap.case)
            answers[gap.field] = ask(spec, spec.default, w.names)
            drafting.record_decision(w.store, w.record_id, gap.case, decision, answers)

