"""`supervise template …`: the agendas and forms, shipped and your own. Needs no store."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from supervise.cli.context import catalog, templates_dir
from supervise.cli.options import JsonOpt, command_group
from supervise.cli.output import out

if TYPE_CHECKING:
    from supervise.domain.policy.templates import Field

app = command_group(
    "Agenda templates: the questions a contract, session or decision record asks. Your own "
    "go in the folder `supervise template list` names (env SUPERVISE_TEMPLATES); one with a "
    "shipped template's id replaces it.")

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The template's id.")]
LIST_COLUMNS = [("id", "Id"), ("kind", "Kind"), ("version", "Version"), ("title", "Title"),
                ("policy", "Policy"), ("origin", "From"), ("status", "Status")]


def _list_rows() -> list[dict[str, Any]]:
    rows = []
    for entry in catalog().files():
        template = entry.template
        origin = entry.origin
        if entry.overridden:
            origin = "shipped (replaced by yours)"
        rows.append({
            "id": entry.id, "kind": template.kind if template else None,
            "version": template.version if template else None,
            "title": template.title if template else None,
            "policy": template.policy if template else None, "origin": origin,
            "status": "ok" if template else f"{len(entry.problems)} problem(s): run "
                                            f"`supervise template validate {entry.path}`",
            "in_use": not entry.overridden, "path": str(entry.path),
        })
    return rows


@app.command("list")
def list_(json_: JsonOpt = False) -> None:
    """List the templates: yours first, then the shipped ones."""
    rows = _list_rows()
    out.table(rows, LIST_COLUMNS, as_json=json_, empty="No templates found.")
    if not json_:
        out.message(f"\nYour templates folder: {templates_dir()}")


@app.command("show")
def show(template_id: IdArg, json_: JsonOpt = False) -> None:
    """Show a template's questions, with the policy's guidance for each."""
    from dataclasses import asdict

    template = catalog().get(template_id)
    if json_:
        data = asdict(template)
        data.pop("text")
        data["digest"] = template.digest
        out.json(data)
        return
    out.data(f"{template.title} ({template.id}, {template.kind} template, version "
             f"{template.version})")
    if template.policy or template.source:
        out.data(f"From: {', '.join(filter(None, (template.policy, template.source)))}")
    if template.description:
        out.data(template.description)
    for number, section in enumerate(template.sections, start=1):
        out.data("")
        _show_field(f"{number}.", section)
        for field in section.fields:
            _show_field(f"    {field.part or '-'}", field)


def _show_field(label: str, field: "Field") -> None:
    flags = [field.type] + (["required"] if field.required else []) + list(field.functions)
    out.data(f"{label} {field.title}  [{field.id}: {', '.join(flags)}]")
    indent = " " * (len(label) + 1)
    if field.choices:
        out.data(f"{indent}Choices: {' / '.join(field.choices)}")
    if field.help:
        out.data(f"{indent}{' '.join(field.help.split())}")


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The template file to check.")],
) -> None:
    """Check a template file: every problem, with its line and what to write instead."""
    from supervise.app.policy import check_template_file
    from supervise.domain.text import counted
    from supervise.errors import SuperviseError

    result = check_template_file(file, catalog())
    checked = result.file
    for problem in checked.problems:
        out.data(f"{file}:{problem.line}: {problem.message}")
    if checked.problems:
        count = len(checked.problems)
        raise SuperviseError(f"{file} has {counted(count, 'problem')}; "
                             f"it will not be used until they are fixed.")
    template = checked.template
    assert template is not None
    note = (f"; in {templates_dir()} it replaces the shipped {template.id}"
            if result.replaces_shipped else "")
    out.data(f"{file}: ok: {template.id} version {template.version}, {template.kind}, "
             f"{len(template.sections)} sections{note}.")


@app.command("skeleton")
def skeleton(
    template_id: IdArg,
    json_: Annotated[bool, typer.Option("--json", help="Write JSON instead of TOML.")] = False,
    out_file: Annotated[Optional[Path], typer.Option(
        "--out", metavar="FILE", help="Write it to FILE (created 0600) instead of stdout.")]
        = None,
) -> None:
    """Print a filled-in answers file for a template, ready to edit and feed back in."""
    from supervise.app.policy import skeleton as skeleton_text
    from supervise.app.policy import write_answers_file

    text = skeleton_text(catalog(), template_id, as_json=json_)
    if out_file is None:
        out.data(text.rstrip("\n"))
        return
    write_answers_file(out_file, text)
    out.message(f"Wrote {out_file}: edit it, then pass it with --answers.")
