"""Frequencies, calendar months, terms and the newly-qualified schedule (pure domain)."""

from datetime import date

import pytest

from supervise.domain.policy.frequency import (
    VALID,
    Frequency,
    Schedule,
    Step,
    Term,
    add_months,
    next_due,
    parse_frequency,
    parse_span,
    term_end_on,
)
from supervise.errors import UsageError


@pytest.mark.parametrize("text", VALID)
def test_every_frequency_parses_and_prints_back(text):
    parsed = parse_frequency(text)
    assert str(parsed) == text
    assert parse_frequency(str(parsed)) == parsed
    assert parse_frequency(text.upper()) == parsed
    assert parsed.words()  # and it has a human form


@pytest.mark.parametrize(("words", "code"), [
    ("weekly", "1w"), ("fortnightly", "2w"), ("Monthly", "1m"), ("quarterly", "3m"),
    ("3-monthly", "3m"), ("6-monthly", "6m"), ("annually", "12m"), ("every  term", "termly"),
])
def test_the_words_on_paper_forms_parse_to_the_codes(words, code):
    assert str(parse_frequency(words)) == code


@pytest.mark.parametrize("text", VALID)
def test_the_human_form_parses_back_to_the_same_frequency(text):
    parsed = parse_frequency(text)
    assert parse_frequency(parsed.words()) == parsed


@pytest.mark.parametrize("bad", ["5w", "fortnighty", "", "0m", "1y", "every month", "3",
                                 "bi-monthly", "every 5 weeks"])
def test_an_unknown_frequency_is_refused_with_the_valid_list(bad):
    with pytest.raises(UsageError) as caught:
        parse_frequency(bad)
    assert "1w, 2w, 4w, 6w, 1m, 2m, 3m, 6m, 12m, termly" in caught.value.message


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2026, 8, 31), 1, date(2026, 9, 30)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 15), 12, date(2027, 12, 15)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
])
def test_calendar_months_clamp_to_the_months_end(start, months, expected):
    assert add_months(start, months) == expected


def test_weeks_add_days():
    assert next_due(date(2026, 12, 28), parse_frequency("4w")) == date(2027, 1, 25)


@pytest.mark.parametrize(("last", "due"), [
    (date(2026, 10, 5), date(2027, 3, 31)),   # autumn -> end of spring
    (date(2026, 12, 31), date(2027, 3, 31)),
    (date(2027, 1, 1), date(2027, 8, 31)),    # spring -> end of summer
    (date(2027, 6, 1), date(2027, 12, 31)),   # summer -> end of autumn
])
def test_termly_is_due_by_the_end_of_the_next_term(last, due):
    assert next_due(last, parse_frequency("termly")) == due


def test_terms_can_cross_the_new_year_and_leave_gaps():
    terms = (Term("winter", (11, 1), (2, 28)), Term("summer", (5, 1), (7, 31)))
    assert term_end_on(terms, date(2026, 12, 25)) == date(2027, 2, 28)
    assert term_end_on(terms, date(2027, 3, 15)) == date(2027, 7, 31)  # a gap: the next term
    assert next_due(date(2026, 12, 25), parse_frequency("termly"), terms) == date(2027, 7, 31)


def test_the_newly_qualified_schedule_steps_down():
    schedule = Schedule("newly-qualified", (
        Step(Frequency("1w"), parse_span("6w")), Step(Frequency("2w"), parse_span("6m"))),
        Frequency("1m"))
    qualified = date(2026, 9, 1)
    assert str(schedule.on(qualified, date(2026, 9, 1))) == "1w"
    assert str(schedule.on(qualified, date(2026, 10, 12))) == "1w"  # 6 weeks less a day
    assert str(schedule.on(qualified, date(2026, 10, 13))) == "2w"
    assert str(schedule.on(qualified, date(2027, 2, 28))) == "2w"
    assert str(schedule.on(qualified, date(2027, 3, 1))) == "1m"
    assert schedule.words() == "weekly for 6 weeks, fortnightly to 6 months, then monthly"


@pytest.mark.parametrize("bad", ["0w", "6", "six weeks", "6y"])
def test_a_bad_span_is_refused(bad):
    with pytest.raises(UsageError):
        parse_span(bad)
