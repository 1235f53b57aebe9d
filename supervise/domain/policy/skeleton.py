"""`template skeleton`: a filled-in answers file for a template (SPEC §5), as TOML with the
policy's guidance in comments, or as JSON. Feeding it back in records a record."""

import json
import textwrap
from datetime import date, timedelta
from typing import Any

from supervise.domain.policy.templates import FIELD_TYPES, Field, Template

SUPERVISEE = "Sam Taylor"
SUPERVISOR = "Alex Morgan"
CHILD = {"name": "Jamie Example", "dob": "2015-03-14"}


def example_value(spec: Field, today: date) -> Any:
    kind, example = spec.type, spec.example
    if kind in ("text", "note"):
        if isinstance(example, str) and example:
            return example
        return spec.default or f"{spec.title}: notes"
    if kind == "choice":
        return example if example in spec.choices else spec.choices[0]
    if kind == "multichoice":
        if isinstance(example, list) and set(example) <= set(spec.choices):
            return example
        return [spec.choices[0]]
    if kind == "date":
        return str(example) if example else today.isoformat()
    if kind == "yesno":
        return example if isinstance(example, bool) else True
    return example if isinstance(example, str) and example else SUPERVISEE


def example_answers(fields: tuple[Field, ...], today: date) -> dict[str, Any]:
    """An example answer to each simple question (cases, actions and the like are not here)."""
    return {f.id: example_value(f, today) for f in fields if f.type in FIELD_TYPES}


def skeleton_data(template: Template, today: date, kind: str | None = None) -> dict[str, Any]:
    """`kind`: the contract kind to write (a policy's kind that uses this template)."""
    answers = example_answers(template.sections, today)
    if template.kind == "contract":
        return {"template": template.id, "supervisee": SUPERVISEE, "supervisor": SUPERVISOR,
                "kind": kind or "safeguarding", "start": today.isoformat(), "duration": 60,
                "venue": "A private room", "answers": answers}
    if template.kind == "decision":
        return {"template": template.id, "answers": answers}
    data: dict[str, Any] = {
        "template": template.id, "date": today.isoformat(), "time": "10:00",
        "kind": "group" if "one-to-one" not in template.session_kinds else "one-to-one",
        "supervisor": SUPERVISOR, "supervisees": [SUPERVISEE], "duration": 60,
    }
    if data["kind"] == "group":
        data["supervisees"] = [SUPERVISEE, "Priya Shah"]
    if template.of_type("next_meeting"):
        data["next_meeting"] = (today + timedelta(weeks=4)).isoformat()
    data["answers"] = answers
    cases = template.of_type("cases")
    if cases:
        # Each child has their own status, since when it began (a plan's start, not the
        # session date) and, optionally, their local reference.
        data["cases"] = [{
            "family": "Example",
            "children": [{**CHILD, "status": "child-in-need",
                          "since": (today - timedelta(weeks=8)).isoformat(),
                          "ref": "LCS-12345"}],
            "answers": example_answers(cases.fields, today),
        }]
    if template.of_type("actions"):
        data["actions"] = [{"text": "Share the updated safety plan with the school nurse",
                            "owner": SUPERVISEE, "due": (today + timedelta(weeks=2)).isoformat(),
                            **({"case": 1} if cases else {})}]
    return data


def skeleton_json(template: Template, today: date, kind: str | None = None) -> str:
    return json.dumps(skeleton_data(template, today, kind), indent=2, ensure_ascii=False) + "\n"


def skeleton_toml(template: Template, today: date, kind: str | None = None) -> str:
    data = skeleton_data(template, today, kind)
    lines = [f"# Answers for {template.title} ({template.id}, version {template.version}).",
             "# Replace the examples, then: supervise "
             f"{'contract' if template.kind == 'contract' else 'session'} new --answers FILE"]
    if template.kind == "decision":
        lines.append("# In a session's answers file this goes under [cases.decision].")
    lines.append("")
    for key, value in data.items():
        if key not in ("answers", "cases", "actions"):
            lines.append(f"{key} = {toml_value(value)}")
    if template.kind == "contract":
        lines.append('# frequency = "4w"        # default: the policy\'s for this kind of contract')
        lines.append('# review = "YYYY-MM-DD"   # default: start + the policy\'s review interval')
    lines += ["", "[answers]"]
    lines += _answer_lines(template.sections, data["answers"])
    review = template.of_type("action_review")
    if review:
        lines += ["", f"# {review.title}: one table per open action (numbers from "
                      "`supervise action list --open`)",
                  "# [[action_review]]", "# action = 1", '# outcome = "done"   # done, carried '
                  "or dropped", '# note = "Referral made on 3 March"',
                  '# due = "YYYY-MM-DD"   # a carried action\'s new due date (needed then)']
    for case in data.get("cases", []):
        lines += ["", "[[cases]]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in case.items() if k != "answers"]
        lines += ["", "[cases.answers]"]
        section = template.of_type("cases")
        assert section is not None
        lines += _answer_lines(section.fields, case["answers"])
        lines += ["", "# [cases.decision]   # optional: a decision record for the child's file",
                  '# synopsis = "…"', '# concerns = "…"', '# decision = "…"', '# rationale = "…"']
    for action in data.get("actions", []):
        lines += ["", "[[actions]]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in action.items()]
    if data.get("actions"):
        lines += ["", "# An action someone not on the staff list owns (a social worker, a "
                      "parent), tied to an agenda item:",
                  "# [[actions]]", '# text = "Send the minutes of the core group"',
                  '# owner = "Jo Bloggs"', '# owner_role = "Social worker, Anytown Council"',
                  f'# due = "{(today + timedelta(weeks=2)).isoformat()}"',
                  f'# item = "{_item_example(template)}"   # a section id; or case = 1',
                  '# notes = "Minutes of the last core group not yet received"']
    return "\n".join(lines) + "\n"


def _item_example(template: Template) -> str:
    fields = [s.id for s in template.sections if s.type in FIELD_TYPES]
    return fields[0] if fields else template.sections[0].id


def _answer_lines(specs: tuple[Field, ...], answers: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for spec in specs:
        if spec.id not in answers:
            continue
        lines.append("")
        title = f"{spec.title}{' (required)' if spec.required else ''}"
        if spec.when:
            title += f" (only when {spec.when} = true)"
        lines += [f"# {line}" for line in textwrap.wrap(title, 96)]
        if spec.help:
            lines += [f"#   {line}" for line in textwrap.wrap(" ".join(spec.help.split()), 94)]
        if spec.choices:
            lines.append(f"#   one of: {', '.join(spec.choices)}")
        lines.append(f"{spec.id} = {toml_value(answers[spec.id], spec.type == 'note')}")
    return lines


def toml_value(value: Any, multiline: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()
                               if v is not None) + "}"
    return toml_string(str(value), multiline)


def toml_string(text: str, multiline: bool = False) -> str:
    """A TOML basic string; JSON's escapes are all valid TOML escapes, DEL aside."""
    if multiline and "\n" in text:
        body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        body = "".join(ch if ch in "\n\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F)
                       else f"\\u{ord(ch):04x}" for ch in body)
        return f'"""\n{body}"""'
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
