"""Asking a template's questions: what was given (answers file, --answer flags) is used as is;
on a terminal each other question is asked with the policy's guidance shown under it; without a
terminal, defaults stand in and a required question with no answer is an error naming the key."""

from typing import Any

from supervise.cli import prompts
from supervise.cli.output import out
from supervise.domain.answers import Problems, check_answers, check_value
from supervise.domain.policy.templates import FIELD_TYPES, Field, Template
from supervise.errors import UsageError


def parse_answer_flags(template: Template, flags: list[str]) -> dict[str, Any]:
    """`--answer ID=VALUE` flags as an answers table (repeat one for each multichoice pick)."""
    answers: dict[str, Any] = {}
    for flag in flags:
        key, sep, value = flag.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--answer {flag!r} needs the form ID=VALUE, e.g. "
                             f"--answer confidentiality='…'.")
        spec = template.section(key)
        if spec is not None and spec.type == "multichoice":
            answers.setdefault(key, []).append(value)
        else:
            answers[key] = value
    return answers


def answer_all(template: Template, given: dict[str, Any], *, defaults: dict[str, Any],
               origin: str, names: list[str] | None = None) -> dict[str, Any]:
    """Every simple question of `template` answered: `given` (checked), then asked or defaulted.
    A problem in `given`, or a required answer missing without a terminal, stores nothing."""
    problems = Problems()
    answers = check_answers(template, given, problems, require=False)
    problems.raise_if_any(origin)
    asking = prompts.can_ask()
    defaulted = []
    for spec in template.sections:
        if spec.type not in FIELD_TYPES or spec.id in answers:
            continue
        fallback = defaults.get(spec.id, spec.default)
        if asking:
            value = ask(spec, fallback, names or [])
        else:  # a default that no longer fits (the template changed) counts as unanswered
            value = check_value(spec, fallback, spec.id, Problems()) \
                if fallback not in (None, "", []) else None
            if value is not None:
                defaulted.append(spec.id)
        if value not in (None, "", []):
            answers[spec.id] = value
        elif spec.required:
            problems.add(f"answers.{spec.id}", f"is required ({spec.title}): give --answer "
                                               f"{spec.id}=… or put it in the answers file")
    problems.raise_if_any(origin)
    if defaulted:
        out.message(f"Used the standard (or previous) wording for: {', '.join(defaulted)}. "
                    f"Give --answer ID=… to word one differently.")
    return answers


def ask(spec: Field, default: Any, names: list[str]) -> Any:
    """Ask one question until the answer fits it; blank means unanswered."""
    hint = f"give --answer {spec.id}=… or put it in the answers file."
    title = f"{spec.title}{' (required)' if spec.required else ''}"
    if spec.help:
        out.guidance(spec.help)
    while True:
        if spec.type == "note":
            raw: Any = prompts.note(title, hint=hint, default=default or "")
        elif spec.type == "choice":
            raw = prompts.choice(title, list(spec.choices), hint=hint,
                                 default=default if default in spec.choices else None)
        elif spec.type == "multichoice":
            raw = prompts.checkbox(title, list(spec.choices), hint=hint, default=default or [])
        elif spec.type == "yesno":
            raw = prompts.confirm(title, hint=hint, default=bool(default))
        elif spec.type == "person":
            raw = prompts.name(title, names, hint=hint, default=default or "")
        else:
            raw = prompts.text(title, hint=hint, default=str(default or ""))
        if raw in ("", []) or (isinstance(raw, str) and not raw.strip()):
            if not spec.required:
                return None
            out.paragraph("This one is required: please answer it.", indent="  ")
            continue
        problems = Problems()
        value = check_value(spec, raw, spec.id, problems)
        if not problems.items:
            return value
        out.paragraph(f"{problems.items[0].split(': ', 1)[1]}; try again.", indent="  ")

