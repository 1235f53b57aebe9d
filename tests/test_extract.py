"""The pure rules behind exports: which names a part mentions, recomputing a record's digest from
an extract, and the chronology's order and gaps (fixed dates, no store)."""

from datetime import date, timedelta

from supervise.domain.bundles.chronology import Event, gaps, rows
from supervise.domain.bundles.extract import entry_parts, mentioned, recompute
from supervise.domain.records.canonical import Omitted, digest
from supervise.domain.records.signing import Content


def test_a_name_is_found_as_whole_words_whatever_its_case_and_spacing():
    names = ["Zofia Nowak", "Leo"]
    assert mentioned({"answer": "Spoke to ZOFIA   nowak's teacher"}, names) == ["Zofia Nowak"]
    assert mentioned(["Leonard came", {"x": "Leo."}], names) == ["Leo"]
    assert mentioned({"answer": "Leonardo and Zofia Nowakowska"}, names) == []
    assert mentioned({"answer": 12}, names) == []


CONTENT = Content({"type": "session", "id": 3, "held_on": date(2026, 3, 4)},
                  [{"section": "a", "answer": "fine"},
                   {"case": 1, "children": [{"name": "Ada", "dob": date(2014, 2, 2)}]},
                   {"case": 2, "children": [{"name": "Zofia", "dob": None}]}])


def test_an_extract_recomputes_to_the_records_digest():
    parts = entry_parts(CONTENT, {2: "another child"}, ["answer a", "case 1", "case 2"])
    assert parts[2] == {"index": 2, "part": "case 2", "digest": digest(CONTENT.parts[2]),
                        "included": False, "reason": "another child"}
    import json

    carried = json.loads(json.dumps(parts, default=str))  # as a manifest carries it
    header = json.loads(json.dumps(CONTENT.header, default=str))
    assert recompute(header, carried) == (CONTENT.digest, [])
    assert Content(CONTENT.header, [*CONTENT.parts[:2], Omitted(parts[2]["digest"])]).digest \
        == CONTENT.digest


def test_a_changed_part_or_header_no_longer_recomputes():
    parts = entry_parts(CONTENT, {}, ["answer a", "case 1", "case 2"])
    parts[0]["content"] = {"section": "a", "answer": "not fine"}
    computed, problems = recompute(CONTENT.header, parts)
    assert computed != CONTENT.digest and problems == ["part 0 (answer a) does not match its "
                                                       "digest"]
    clean = entry_parts(CONTENT, {}, ["answer a", "case 1", "case 2"])
    assert recompute({**CONTENT.header, "id": 4}, clean)[0] != CONTENT.digest


def every(weeks: int):
    return lambda day: day + timedelta(weeks=weeks)


def supervision(day: date, source: str = "Session") -> Event:
    return Event(day, "10:00", source, "Case discussion", "", supervision=True)


def test_gaps_are_found_between_before_and_after_supervisions():
    events = [supervision(date(2026, 1, 5)), supervision(date(2026, 2, 2)),
              supervision(date(2026, 5, 4))]
    found = gaps(events, start=date(2025, 12, 1), end=date(2026, 9, 1), due_after=every(8),
                 before=date(2025, 10, 20))
    assert [(g.start, g.end, g.limit, g.before_period) for g in found] == [
        (date(2025, 10, 20), date(2026, 1, 5), date(2025, 12, 15), True),
        (date(2026, 2, 2), date(2026, 5, 4), date(2026, 3, 30), False),
        (date(2026, 5, 4), date(2026, 9, 1), date(2026, 6, 29), False),
    ]
    # the start of a dated period is not a supervision: with none before it, no gap from it
    assert [g.start for g in gaps(events, start=date(2025, 9, 1), end=date(2026, 9, 1),
                                  due_after=every(8))] == [date(2026, 2, 2), date(2026, 5, 4)]
    assert gaps(events[:2], start=None, end=date(2026, 3, 1), due_after=every(8)) == []
    assert gaps([], start=None, end=date(2026, 3, 1), due_after=every(8)) == []


def test_the_chronology_numbers_events_in_order_and_places_each_gap():
    decided = Event(date(2026, 1, 5), "10:00", "Decision record D1", "Decision recorded", "",
                    rank=1)
    events = [supervision(date(2026, 5, 4), "Session S2"), decided,
              supervision(date(2026, 1, 5), "Session S1")]
    found = gaps(events, start=None, end=date(2026, 5, 10), due_after=every(8))
    table = rows(events, found)
    assert [(r["sequence"], r["source"], r["date"]) for r in table] == [
        (1, "Session S1", "5 January 2026"), (2, "Decision record D1", "5 January 2026"),
        (None, "", "5 January 2026"), (3, "Session S2", "4 May 2026")]
    assert table[2]["gap"] and "119 days" in table[2]["event"]
