"""`report compliance | balance | drift | children` on fixed dates, on real stores."""

import csv
import io
import json
import zipfile
from datetime import date

import pytest

from supervise.domain.oversight.balance import Seen, balance_rows
from supervise.domain.oversight.compliance import Span, dues
from supervise.domain.oversight.drift import Tracked, drift_rows
from supervise.domain.oversight.unseen_children import Watched, unseen_rows
from supervise.domain.policy.frequency import parse_frequency
from supervise.store.catalog import shipped_policy
from supervise.store.db.writing import Stamp
from tests.oversight_trust import LEAD, Trust

MS = shipped_policy("minimum-standards")


def span(*sessions: date, frequency: str = "1m", start=date(2025, 1, 1), **more) -> Span:
    return Span(team="Blue", supervisor=LEAD, frequency=parse_frequency(frequency),
                start=start, end=more.pop("end", None), sessions=tuple(sessions), **more)


def test_dues_met_on_time_missed_and_late():
    """Monthly from 1 January: sessions on 25 Jan (early), 10 Mar (late for 25 Feb), then
    nothing: dues 25 Feb and 10 Apr pass unmet and the clock runs on from each."""
    found, held = dues(span(date(2025, 1, 25), date(2025, 3, 10)), date(2025, 1, 1),
                       date(2025, 5, 31), MS)
    assert held == [date(2025, 1, 25), date(2025, 3, 10)]
    assert found == [(date(2025, 2, 1), True), (date(2025, 2, 25), False),
                     (date(2025, 4, 10), False), (date(2025, 5, 10), False)]


def test_dues_in_the_window_only_with_the_clock_from_before_it():
    found, held = dues(span(date(2025, 1, 20), date(2025, 2, 18), date(2025, 3, 31)),
                       date(2025, 3, 1), date(2025, 3, 31), MS)
    assert (found, held) == ([(date(2025, 3, 18), False)], [date(2025, 3, 31)])
    # An ended contract has no dues after its last day.
    assert dues(span(date(2025, 1, 20), end=date(2025, 2, 10)), date(2025, 1, 1),
                date(2025, 12, 31), MS) == ([(date(2025, 2, 1), True)], [date(2025, 1, 20)])


def test_a_review_carries_the_clock_on_but_a_new_contract_starts_it():
    review = span(date(2024, 12, 20), start=date(2025, 1, 1), is_review=True)
    assert dues(review, date(2025, 1, 1), date(2025, 1, 31), MS)[0] == \
        [(date(2025, 1, 20), False)]
    fresh = span(date(2024, 12, 20), start=date(2025, 1, 1))
    assert dues(fresh, date(2025, 1, 1), date(2025, 1, 31), MS)[0] == \
        [(date(2025, 2, 1), False)][:0]  # due 1 February: after the window


@pytest.fixture
def trust(tmp_path):
    built = Trust(tmp_path)
    yield built
    built.close()


def build_year(trust: Trust) -> None:
    """Two teams, two supervisors: Ann meets monthly on time; Ben misses March and cancels."""
    trust.person("Sup Two", supervisor=True, trained=date(2024, 6, 1), since=date(2024, 1, 1),
                 requires=False)
    trust.person("Ann Able", start=date(2024, 9, 1))
    trust.person("Ben Bold", start=date(2024, 9, 1))
    with trust.store.session() as session:
        from supervise.store.records.people import edit_person, find_person
        from tests.oversight_trust import at

        for name, team in (("Ann Able", "Blue"), ("Ben Bold", "Green")):
            edit_person(Stamp(session, at(date(2024, 9, 2)), LEAD), find_person(session, name),
                        changes={"team": team})
    trust.contract("Ann Able", start=date(2025, 1, 6))
    trust.contract("Ben Bold", supervisor="Sup Two", start=date(2025, 1, 6))
    for month in (2, 3, 4):
        trust.session(date(2025, month, 3), "Ann Able")
    trust.session(date(2025, 2, 3), "Ben Bold", supervisor="Sup Two")
    trust.cancel(date(2025, 3, 3), "Ben Bold", by="supervisee", supervisor="Sup Two")
    trust.session(date(2025, 4, 14), "Ben Bold", supervisor="Sup Two", signed=False,
                  recorded=date(2025, 4, 20))


def test_compliance_by_team_and_supervisor_with_the_monthly_return(cli, trust):
    build_year(trust)
    trust.close()
    result = cli("report", "compliance", "--from", "2025-02-01", "--to", "2025-04-30",
                 "--json", store=trust.path)
    assert result.code == 0, result.err
    rows = {(r["group"], r["name"]): r for r in json.loads(result.out)}
    assert list(rows)[0] == ("organisation", "organisation")
    ann, ben = rows[("team", "Blue")], rows[("supervisor", "Sup Two")]
    # Ann: due 6 Feb (met 3 Feb), 3 Mar, 3 Apr: all on time.
    assert (ann["due"], ann["held"], ann["on_time"], ann["on_time_percent"]) == (3, 3, 3, 100.0)
    # Ben: due 6 Feb met; 3 Mar missed (cancelled by him), 3 Apr missed; 14 Apr late.
    assert (ben["due"], ben["held"], ben["on_time"], ben["on_time_percent"]) == (3, 2, 1, 33.3)
    assert (ben["cancelled"], ben["cancelled_by_supervisee"], ben["cancelled_by_supervisor"],
            ben["late_entries"], ben["unsigned"]) == (1, 1, 0, 1, 1)
    org = rows[("organisation", "organisation")]
    assert (org["due"], org["held"], org["on_time"]) == (6, 5, 4)
    assert [m["month"] for m in org["months"]] == ["2025-02", "2025-03", "2025-04"]
    assert [(m["due"], m["on_time"], m["held"]) for m in org["months"]] == \
        [(2, 2, 2), (2, 1, 1), (2, 1, 2)]
    assert "5 held; 66.7% of 6 due were on time" in result.err
    monthly = list(csv.DictReader(io.StringIO(cli(
        "report", "compliance", "--from", "2025-02-01", "--to", "2025-04-30", "--csv",
        store=trust.path).out)))
    assert len(monthly) == 3 * len(rows)
    assert monthly[1] == {"group": "organisation", "name": "organisation", "month": "2025-03",
                          "due": "2", "held": "1", "on_time": "1", "on_time_percent": "50.0",
                          "cancelled": "1", "cancelled_by_supervisor": "0",
                          "cancelled_by_supervisee": "1", "late_entries": "0",
                          "unsigned": "0"}


def test_compliance_docx_has_the_figures_and_a_chart(cli, trust, tmp_path):
    from docx import Document

    build_year(trust)
    trust.close()
    target = tmp_path / "compliance.docx"
    result = cli("report", "compliance", "--from", "2025-02-01", "--to", "2025-04-30",
                 "--docx", str(target), store=trust.path)
    assert result.code == 0, result.err
    assert target.stat().st_mode & 0o777 == 0o600
    word = Document(str(target))
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["March 2025", "2", "1", "1", "50%", "1 (0 / 1)", "0", "0"] in cells
    assert ["Period", "1 February 2025 to 30 April 2025"] in cells
    assert "organisation" not in {row[0] for row in cells}  # its name, not the group's code
    assert ["Sup Two", "3", "2", "1", "33.3%", "1 (0 / 1)", "1", "1"] in cells
    with zipfile.ZipFile(target) as package:
        chart = package.read("word/charts/chart1.xml").decode()
    assert "Feb 2025" in chart and "Held" in chart and "On time" in chart
    again = cli("report", "compliance", "--docx", str(target), store=trust.path)
    assert again.code == 2 and "another --docx, or --force" in again.err
    assert cli("report", "compliance", "--docx", str(tmp_path / "x.pdf"),
               store=trust.path).code != 0
    audit = json.loads(cli("audit", "log", "--json", store=trust.path).out)
    assert [e["action"] for e in audit].count("report.compliance") == 1


def test_compliance_refuses_bad_dates(cli, store):
    swapped = cli("report", "compliance", "--from", "2025-05-01", "--to", "2025-04-01")
    assert swapped.code != 0 and "swap" in swapped.err
    assert cli("report", "compliance", "--from", "2025-02-30").code != 0


def seen(day: int, *functions: str) -> Seen:
    return Seen("Sam Taylor", LEAD, day, date(2025, 1, day), frozenset(functions))


def test_balance_counts_functions_and_flags_three_running_absences():
    everything = ("management", "development", "support", "mediation", "voice-of-child")
    history = [seen(1, *everything), seen(2, "management", "support"),
               seen(3, "management"), seen(4, "management", "voice-of-child"),
               seen(5, "management", "voice-of-child")]
    (row,) = balance_rows(history, date(2025, 2, 1), sessions=6)
    assert (row["sessions"], row["management"], row["support"], row["voice-of-child"]) == \
        (5, 5, 2, 3)
    assert row["flags"] == ["development absent 4 sessions running",
                            "support absent 3 sessions running",
                            "mediation absent 4 sessions running"]
    (short,) = balance_rows(history, date(2025, 2, 1), sessions=2)
    assert short["flags"] == []  # two sessions cannot show three running
    (recent,) = balance_rows(history, date(2025, 1, 31), months=1)
    assert recent["sessions"] == 5


def test_drift_is_carried_twice_or_more_than_28_days_overdue():
    actions = [Tracked(1, "Chase the core group date", "Sam Taylor", date(2025, 1, 1), 1,
                       date(2024, 12, 1), 0),
               Tracked(2, "Update the plan", "Sam Taylor", date(2025, 1, 31), 1,
                       date(2024, 12, 1), 2),
               Tracked(3, "Book training", "Ann Able", date(2025, 1, 4), 1, date(2024, 12, 1),
                       1)]
    rows = drift_rows(actions, date(2025, 2, 1))
    assert [(r["owner"], r["action"], r["reasons"]) for r in rows] == [
        ("Sam Taylor", 1, ["31 days overdue"]),
        ("Sam Taylor", 2, ["carried forward 2 times"])]
    # 28 days overdue is not yet drift.
    assert [r["action"] for r in drift_rows(actions, date(2025, 1, 29))] == [2]


def test_children_unseen_past_the_interval():
    from supervise.domain.policy.frequency import Span as Interval

    children = [Watched("Ella Hughes", "Hughes", "child-protection", date(2024, 10, 1),
                        date(2025, 1, 6), 4, LEAD),
                Watched("Tyler Price", "Price", "looked-after", date(2024, 12, 1), None, None,
                        None)]
    rows = unseen_rows(children, date(2025, 3, 4), Interval(8, "w"))
    assert [(r["child"], r["last_discussed"], r["due"], r["days_overdue"]) for r in rows] == [
        ("Tyler Price", None, "2025-01-26", 37), ("Ella Hughes", "2025-01-06", "2025-03-03", 1)]
    assert unseen_rows(children, date(2025, 3, 4), Interval(12, "w"))[0]["child"] == \
        "Tyler Price"


@pytest.mark.xdist_group("demo")  # one worker builds the demo store for both
def test_report_commands_on_the_demo_store(cli, demo_store):
    """The shipped sample trust: every report runs and agrees with its JSON."""
    store = demo_store
    env = {"SUPERVISE_PASSPHRASE": "demo-only-passphrase"}
    for name in ("compliance", "balance", "drift", "children"):
        result = cli("report", name, "--json", store=store, passphrase=None, env=env)
        assert result.code == 0, result.err
        assert isinstance(json.loads(result.out), list)
    compliance = json.loads(cli("report", "compliance", "--json", "--from", "2025-09-01",
                                "--to", "2026-07-31", store=store, passphrase=None,
                                env=env).out)  # the demo's first year, whatever today is
    whole = next(r for r in compliance if r["group"] == "organisation")
    assert 0 < whole["on_time"] < whole["due"]  # some supervision on time, some late
    children = json.loads(cli("report", "children", "--json", "--as-of", "2026-11-22",
                              store=store, passphrase=None, env=env).out)
    assert {c["status"] for c in children} <= {"child-protection", "looked-after"}
    drift = cli("report", "drift", "--as-of", "2026-11-22", store=store, passphrase=None,
                env=env)
    assert "days overdue" in drift.out
    unknown = cli("report", "balance", "--supervisee", "Nobody Here", store=store,
                  passphrase=None, env=env)
    assert unknown.code == 1 and unknown.out == ""
    both = cli("report", "balance", "--sessions", "3", "--months", "2", store=store,
               passphrase=None, env=env)
    assert both.code != 0 and "not both" in both.err
