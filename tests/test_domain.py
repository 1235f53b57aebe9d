"""Pure rules: canonical JSON, dates, names, the recovery key's written form."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from supervise.domain.dates import parse_date
from supervise.domain.names import clean_name, closest, name_key
from supervise.domain.records.canonical import canonical_json, digest, iso_utc
from supervise.domain.recovery import format_recovery_key, parse_recovery_key
from supervise.errors import UsageError


def test_canonical_json_is_sorted_compact_utf8_and_refuses_floats():
    expected = '{"a":["é",null,true],"b":1}'.encode()
    assert canonical_json({"b": 1, "a": ["é", None, True]}) == expected
    with pytest.raises(TypeError):
        canonical_json({"x": 1.5})


def test_the_same_moment_in_any_zone_gives_the_same_digest():
    utc = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    bst = utc.astimezone(timezone(timedelta(hours=1)))
    assert iso_utc(bst) == "2026-03-29T00:30:00.000000Z"
    assert digest({"at": utc}) == digest({"at": bst})
    with pytest.raises(ValueError):
        iso_utc(datetime(2026, 1, 1))


def test_dates_are_strict():
    assert parse_date(" 2028-02-29 ") == date(2028, 2, 29)
    for bad in ("2027-02-29", "2026-1-5", "05/01/2026", "tomorrow", ""):
        with pytest.raises(UsageError):
            parse_date(bad)


def test_names_compare_by_case_and_spacing_only():
    assert name_key("  Ann   O'Neill ") == name_key("ANN O'NEILL")
    assert name_key("Anne O'Neill") != name_key("Ann O'Neill")
    assert clean_name("  Zoë \t Smith ") == "Zoë Smith"
    assert closest("jon smith", ["John Smith", "Jane Doe"]) == ["John Smith"]


def test_recovery_key_round_trip_and_shape():
    key = bytes(range(32))
    text = format_recovery_key(key)
    assert len(text) == 71 and text.count("-") == 7
    assert all(len(group) == 8 for group in text.split("-"))
    assert parse_recovery_key(text) == key
    assert parse_recovery_key(text.upper().replace("-", " ")) == key
    with pytest.raises(UsageError):
        parse_recovery_key(text[:-1])
