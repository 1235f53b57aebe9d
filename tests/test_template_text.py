"""Template text shown to users (titles, questions, help, choices) holds no control character:
a template carrying an escape sequence or a bidirectional override is refused at its line."""

import pytest

from supervise.domain.policy.templates import check_template, parse_template

HEAD = 'id = "t"\nkind = "session"\ntitle = "T"\nversion = 1\n'
SECTION = '[[sections]]\nid = "a"\ntitle = "A"\ntype = "choice"\nchoices = ["Yes", "No"]\n'


def _top(key: str, value: str) -> str:
    lines = HEAD.replace('title = "T"\n', "").rstrip("\n").split("\n")
    return "\n".join(lines[:2] + [f"{key} = {value}"] + lines[2:]) + "\n" + SECTION


@pytest.mark.parametrize(("text", "line", "fragment"), [
    (_top("title", r'"Supervision \u001b[2J record"'), 3, "`title` contains a control "
                                                           "character [U+001B]"),
    (_top("title", r'"Two\nlines"'), 3, "[U+000A]"),
    (_top("title", r'"Tab\there"'), 3, "[U+0009]"),
    (HEAD.replace('"T"', r'"T\u202eevil"') + SECTION, 3, "[U+202E]"),
    (HEAD + 'description = "Bell \\u0007"\n' + SECTION, 5, "`description`"),
    (HEAD + SECTION.replace('title = "A"', r'title = "A\u009b"'), 7, "[U+009B]"),
    (HEAD + SECTION + 'help = "Look \\u001b]0;owned\\u0007"\n', 10, "`help`"),
    (HEAD + SECTION.replace('"No"', r'"N\u0000o"'), 9, "`choices`"),
    (HEAD + SECTION + 'default = "Yes"\nexample = "x\\u001by"\n', 11, "`example`"),
    (HEAD + '[[sections]]\nid = "c"\ntitle = "C"\ntype = "cases"\n[[sections.fields]]\n'
     'id = "f"\ntitle = "F\\u0008"\ntype = "note"\n', 11, "`title`"),
    (HEAD + SECTION + 'band = "Intro\\u001b"\n', 10, "`band`"),
])
def test_a_control_character_in_template_text_is_refused_at_its_line(text, line, fragment):
    template, problems = check_template(text)
    assert template is None, "validated"
    assert any(p.line == line and fragment in p.message for p in problems), problems


def test_help_and_examples_may_run_over_several_lines():
    text = (HEAD + '[[sections]]\nid = "a"\ntitle = "A"\ntype = "note"\n'
            'help = """\nFirst line.\n\tSecond, indented."""\nexample = "One\\nTwo"\n'
            'default = "One\\nTwo"\n')
    template, problems = check_template(text)
    assert problems == [] and template is not None


def test_a_template_with_an_escape_in_its_title_is_refused_in_one_line(cli, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(_top("title", r'"Record \u001b[31mred"'), encoding="utf-8")
    result = cli("template", "validate", str(path))
    assert result.code == 1
    assert f"{path}:3: `title` contains a control character [U+001B]" in result.out
    assert "\x1b" not in result.out + result.err


def test_a_copy_kept_with_older_records_is_still_read():
    text = _top("title", r'"Record \u001b[31mred"')
    assert check_template(text)[0] is None
    assert parse_template(text, stored=True).title == "Record \x1b[31mred"
