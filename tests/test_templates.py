"""Templates as data: the shipped set, the checker, skeletons fed back in, user overrides and the
template version every record keeps."""

import json
import tomllib
from pathlib import Path

import pytest

from supervise.domain.answers import Problems, check_answers, read_answers_text
from supervise.domain.policy.templates import check_template, parse_template
from supervise.domain.records.session_file import check_session_file
from supervise.store.catalog import Catalog, kind_for_template, shipped_dir, shipped_policy
from tests.clock import TODAY
from tests.helpers import USER, file_mode

SHIPPED = sorted(shipped_dir("templates").glob("*.toml"))
REQUIRED_IDS = {
    "ms-contract", "ms-supervision-record", "ms-decision-record",             # 000
    "icb-safeguarding-agreement", "icb-cic-agreement", "icb-supervision-documentation",  # 002
    "la-case-supervision", "la-pod-record",                                    # 003
    "dsl-agenda", "eyfs-record",                                               # 004
}


def shipped(kind: str) -> list[str]:
    return sorted(f.id for f in Catalog(None).files() if f.template.kind == kind)


def test_the_shipped_set_covers_every_pro_forma_of_the_source_policies():
    ids = {f.id for f in Catalog(None).files()}
    assert ids >= REQUIRED_IDS
    assert len(SHIPPED) == len(ids)  # one file per id


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_template_validates(cli, path):
    result = cli("template", "validate", str(path))
    assert result.code == 0, result.out + result.err
    assert ": ok:" in result.out
    template = parse_template(path.read_text(encoding="utf-8"))
    assert template.id == path.stem
    assert all(s.help for s in template.sections if s.type not in ("next_meeting",)), \
        "every question carries the policy's guidance"
    assert any(s.functions for s in template.sections)


def test_case_fields_carry_part_a_part_b_and_signs_of_safety():
    catalog = Catalog(None)
    record = catalog.get("ms-supervision-record").of_type("cases")
    assert {f.part for f in record.fields} == {"A", "B"}
    sos = {f.id for f in catalog.get("la-case-supervision").of_type("cases").fields}
    assert {"working_well", "worried_about", "needs_to_happen"} <= sos
    pod = catalog.get("la-pod-record")
    assert pod.session_kinds == ("group",)
    assert pod.section("group_confidentiality") and pod.section("concern_lead").type == "person"
    dsl = catalog.get("dsl-agenda")
    assert len([s for s in dsl.sections if s.type != "actions"]) == 13  # the 13-item agenda


@pytest.mark.parametrize("template_id", shipped("session") + shipped("decision"))
@pytest.mark.parametrize("form", ["toml", "json"])
def test_a_session_skeleton_feeds_back_in_without_a_problem(cli, template_id, form):
    catalog = Catalog(None)
    args = ["template", "skeleton", template_id] + (["--json"] if form == "json" else [])
    result = cli(*args)
    assert result.code == 0, result.err
    data = read_answers_text(result.out, f".{form}")
    template = catalog.get(template_id)
    problems = Problems()
    if template.kind == "session":
        parsed = check_session_file(template, data, TODAY, problems,
                                    decision=catalog.get("ms-decision-record"))
        assert parsed.held_on == TODAY and parsed.supervisees
        if template.of_type("cases"):
            assert parsed.cases and parsed.cases[0].answers
        simple = [s.id for s in template.sections if s.type in ("text", "note", "choice",
                                                                  "multichoice", "date", "yesno",
                                                                  "person")]
        assert sorted(parsed.answers) == sorted(simple)
    else:
        assert check_answers(template, data["answers"], problems)
    assert problems.items == []


@pytest.mark.parametrize("template_id", shipped("contract"))
def test_a_contract_skeleton_records_a_contract_under_its_policy(cli, tmp_path, template_id):
    template = Catalog(None).get(template_id)
    policy = shipped_policy(template.policy)
    kind = kind_for_template(template_id)
    assert kind in policy.kinds and policy.kinds[kind].contract_template == template_id
    target = tmp_path / "store.db"

    def run(*args):
        result = cli(*args, store=target)
        assert result.code == 0, result.err
        return result

    run("init", "--org", "O", "--user", USER, "--kdf", "owasp-minimum", "--policy",
        policy.id)
    run("person", "add", "Alex Morgan", "--role", "DSL", "--supervisor")
    run("person", "add", "Sam Taylor", "--role", "Deputy DSL")
    skeleton = tmp_path / "contract.toml"
    run("template", "skeleton", template_id, "--out", str(skeleton))
    assert file_mode(skeleton) == 0o600
    again = cli("template", "skeleton", template_id, "--out", str(skeleton))
    assert again.code == 2 and "already exists" in again.err
    run("contract", "new", "--answers", str(skeleton))
    shown = json.loads(run("contract", "show", "1", "--json").out)
    assert shown["template"] == template_id and shown["supervisee"] == "Sam Taylor"
    assert shown["kind"] == kind
    assert shown["frequency"] == str(policy.kinds[kind].frequency or policy.default_frequency)
    expected = tomllib.loads(skeleton.read_text())["answers"]
    assert {a["id"]: a["answer"] for a in shown["answers"]} == expected


BAD_TEMPLATE = """\
id = "bad-agenda"
kind = "session"
title = "A bad agenda"
version = 1

[[sections]]
id = "agenda"
title = "Agenda"
type = "note"

[[sections]]
id = "agenda"
title = "Agenda again"
type = "text"

[[sections]]
id = "mood"
title = "Mood"
type = "slider"

[[sections]]
id = "rating"
title = "How did it go?"
type = "choice"
"""


def test_validate_reports_every_problem_with_its_line(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_TEMPLATE)
    result = cli("template", "validate", str(path))
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert len(lines) == 3, result.out
    assert lines[0].startswith(f"{path}:12: duplicated section id 'agenda' (first on line 7)")
    assert lines[1].startswith(f"{path}:19: unknown type 'slider': use one of text, note")
    assert lines[2].startswith(f"{path}:24: a choice section has no choices: add e.g. choices")
    assert result.err.startswith("Error: ") and "3 problems" in result.err


def test_validate_reports_a_toml_syntax_error_with_its_line(cli, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('id = "x"\nkind = "session"\ntitle = "Unclosed\nversion = 1\n')
    result = cli("template", "validate", str(path))
    assert result.code == 1
    assert result.out.startswith(f"{path}:3: TOML syntax error")


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ('kind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\ntitle = "A"\n'
     'type = "text"\n', 1, "missing `id`"),
    ('id = "T"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "text"\n', 1, "lowercase"),
    ('id = "t"\nkind = "agenda"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "text"\n', 2, "unknown kind 'agenda'"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 0\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "text"\n', 4, "whole number from 1"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n', 1, "no sections"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "text"\nrequried = true\n', 9, "did you mean `required`?"),
    ('id = "t"\nkind = "contract"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "cases"\n[[sections.fields]]\nid = "f"\ntitle = "F"\ntype = "note"\n',
     8, "a contract template cannot have a `cases` section"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "c"\n'
     'title = "Cases"\ntype = "cases"\n', 8, "a cases section has no fields"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "c"\n'
     'title = "C"\ntype = "cases"\n[[sections.fields]]\nid = "f"\ntitle = "F"\n'
     'type = "actions"\n', 12, "unknown type 'actions'"),
    ('id = "t"\nkind = "decision"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "synopsis"\n'
     'title = "S"\ntype = "note"\n', 5, "needs sections with the ids concerns, decision, "
                                      "rationale"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "note"\nfunctions = ["wellbeing"]\n', 9, "unknown functions value"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "text"\nchoices = ["x"]\n', 9, "only fits choice"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "next_meeting"\n[[sections]]\nid = "b"\ntitle = "B"\n'
     'type = "next_meeting"\n', 12, "a second `next_meeting` section"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "choice"\nchoices = ["Yes", "yes"]\n', 9, "listed twice"),
    ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
     'title = "A"\ntype = "choice"\nchoices = ["Yes", "No"]\ndefault = "Maybe"\n', 10,
     "default 'Maybe' is not one of the choices"),
])
def test_each_kind_of_template_problem_is_found_at_its_line(text, line, fragment):
    template, problems = check_template(text)
    assert template is None
    assert any(p.line == line and fragment in p.message for p in problems), problems


def test_a_template_that_is_not_utf8_is_refused(cli, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Caf\xe9"\n'.encode("latin-1"))
    result = cli("template", "validate", str(path))
    assert result.code == 1 and "not UTF-8" in result.out


def test_validating_a_missing_file_says_so(cli, tmp_path):
    result = cli("template", "validate", str(tmp_path / "nope.toml"))
    assert result.code == 1 and "does not exist" in result.out


def user_contract(version: int, question: str) -> str:
    return f"""\
id = "ms-contract"
kind = "contract"
title = "Our own supervision contract"
version = {version}

[[sections]]
id = "expectations"
title = "{question}"
type = "note"
help = "What each of you expects."
required = true
"""


@pytest.fixture
def user_templates(cli, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "my-templates"
    folder.mkdir()
    monkeypatch.setenv("SUPERVISE_TEMPLATES", str(folder))
    return folder


def test_a_user_template_replaces_the_shipped_one_with_its_id(cli, user_templates):
    (user_templates / "ours.toml").write_text(user_contract(1, "What do we expect?"))
    rows = json.loads(cli("template", "list", "--json").out)
    mine = [r for r in rows if r["id"] == "ms-contract"]
    assert [(r["origin"], r["in_use"]) for r in mine] == [
        ("user", True), ("shipped (replaced by yours)", False)]
    shown = cli("template", "show", "ms-contract")
    assert "Our own supervision contract" in shown.out and "What do we expect?" in shown.out
    assert "replaces the shipped ms-contract" in cli(
        "template", "validate", str(user_templates / "ours.toml")).out


def test_a_broken_user_template_is_refused_not_silently_replaced(cli, user_templates):
    (user_templates / "ms-contract.toml").write_text('id = "ms-contract"\nkind = "contract"\n')
    result = cli("template", "show", "ms-contract")
    assert result.code == 1 and "ms-contract.toml" in result.err
    assert "template validate" in result.err
    rows = json.loads(cli("template", "list", "--json").out)
    assert any(r["id"] == "ms-contract" and "problem(s)" in r["status"] for r in rows)


def test_a_record_keeps_the_questions_of_the_version_it_was_made_with(cli, store,
                                                                      user_templates):
    (user_templates / "ours.toml").write_text(user_contract(1, "What do we expect?"))
    assert cli("person", "add", "Sam Taylor", "--role", "Teacher").code == 0
    made = cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor",
               "Jordan Example", "--answer", "expectations=Honesty and preparation")
    assert made.code == 0, made.err
    (user_templates / "ours.toml").write_text(user_contract(2, "What will each of you do?"))
    old = json.loads(cli("contract", "show", "1", "--json").out)
    assert old["template_version"] == 1
    assert old["answers"] == [{"id": "expectations", "question": "What do we expect?",
                               "answer": "Honesty and preparation"}]
    assert "What do we expect?" in cli("contract", "show", "1").out
    reviewed = cli("contract", "review", "1", "--answer", "expectations=The same, reviewed")
    assert reviewed.code == 0, reviewed.err
    new = json.loads(cli("contract", "show", "2", "--json").out)
    assert new["template_version"] == 2
    assert new["answers"][0]["question"] == "What will each of you do?"
    assert json.loads(cli("contract", "show", "1", "--json").out)["answers"] == old["answers"]


def test_an_unknown_template_suggests_the_closest(cli):
    result = cli("template", "show", "dsl-agneda")
    assert result.code == 1 and "dsl-agenda" in result.err


def test_skeleton_text_survives_awkward_characters():
    from supervise.domain.policy.skeleton import toml_string

    awkward = 'Quote " backslash \\ tab \t vertical\x0btab DEL\x7f Welsh ŵ Urdu اردو 🙂\nline 2'
    for multiline in (False, True):
        text = f"v = {toml_string(awkward, multiline)}\n"
        assert tomllib.loads(text)["v"] == awkward


def test_an_agenda_keeps_its_own_item_numbers_and_bands():
    from supervise.app.policy import catalog

    agenda = catalog(None).get("dsl-agenda", kind="session")
    numbered = [(s.number, s.band) for s in agenda.sections if s.number or s.band]
    assert [n for n, _ in numbered if n] == [str(i) for i in range(1, 14)]
    assert [b for _, b in numbered if b] == [
        "Introduction", "Specific case discussions", "Reflection", "Development", "Completion",
        "Safeguarding Supervision Notes and Action Template"]


@pytest.mark.parametrize("value", ["0", "true", '""', "[1]"])
def test_an_item_number_must_be_a_number_or_text(value):
    from supervise.domain.policy.templates import TemplateError, parse_template

    text = ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "a"\n'
            f'title = "A"\ntype = "note"\nnumber = {value}\n')
    with pytest.raises(TemplateError, match="number must be"):
        parse_template(text, origin="t.toml")


def test_the_walk_says_where_it_is_in_the_agendas_own_numbers():
    from supervise.app.policy import catalog
    from supervise.cli.records.session_walk import progress

    agenda = catalog(None).get("dsl-agenda", kind="session")
    ids = [s.id for s in agenda.sections]
    assert progress(agenda, ids.index("analysis") + 1, "Reflection") == "Item 7 of 13, Reflection"
    assert progress(agenda, len(ids), None) == f"Part {len(ids)} of {len(ids)}"
    plain = catalog(None).get("ms-supervision-record", kind="session")
    assert progress(plain, 2, None) == f"Part 2 of {len(plain.sections)}"


CONDITIONAL = ('id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n[[sections]]\nid = "c"\n'
               'title = "C"\ntype = "cases"\n[[sections.fields]]\nid = "escalate"\n'
               'title = "Escalate?"\ntype = {first}\n[[sections.fields]]\nid = "to"\n'
               'title = "To whom"\ntype = "text"\nwhen = {when}\n')


@pytest.mark.parametrize(("first", "when", "fragment"), [
    ('"note"', '"escalate"', "must name a yes/no question above it"),
    ('"yesno"', '"nowhere"', 'e.g. when = "escalate"'),
    ('"yesno"', '"to"', "must name a yes/no question above it"),  # itself, not above
])
def test_a_when_names_a_yes_no_question_above_it(first, when, fragment):
    template, problems = check_template(CONDITIONAL.format(first=first, when=when))
    assert template is None
    assert any(p.line == 17 and fragment in p.message for p in problems), problems


def test_a_question_asked_only_after_a_yes_applies_only_then():
    template = parse_template(CONDITIONAL.format(first='"yesno"', when='"escalate"'))
    to = template.sections[0].fields[1]
    assert to.when == "escalate"
    assert to.applies({"escalate": True})
    assert not to.applies({"escalate": False}) and not to.applies({})


def test_the_dsl_agenda_asks_to_whom_and_by_when_only_for_an_escalation():
    from supervise.app.policy import catalog

    fields = catalog(None).get("dsl-agenda", kind="session").of_type("cases").fields
    asked = {f.id: f for f in fields}
    assert asked["escalated_to"].when == asked["escalate_by"].when == "escalate"
    assert asked["escalated_to"].required and asked["escalate_by"].type == "date"
