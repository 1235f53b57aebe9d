"""The facts behind `report balance`: which functions each completed session covered, from the
sections answered in the template version it was made with (read through the ORM session, which
checks each stored template copy against its digest)."""

import json
from collections import defaultdict
from datetime import date
from typing import Any

from supervise.domain.oversight.balance import Seen
from supervise.domain.records.session_rules import functions_covered
from supervise.store.queries.overdue_facts import as_reader, stored_day
from supervise.store.queries.report_facts import names
from supervise.store.records.template_snapshots import snapshot


def balance_facts(session: Any, on: date, supervisee_id: int | None = None) -> list[Seen]:
    """Each completed session of each supervisee held by `on`, with the functions it covered
    (from the sections answered in the template version it was made with)."""

    reader = as_reader(session)
    day = on.isoformat()
    people = names(reader)
    answers: dict[int, dict] = defaultdict(dict)
    for session_id, section_id, value in reader.iterate("""
            SELECT a.session_id, a.section_id, a.value FROM session_answer a
            JOIN session_record s ON s.id = a.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d""", {"d": day}):
        answers[session_id][section_id] = json.loads(value)
    case_answers: dict[int, list[dict]] = defaultdict(list)
    for session_id, case in reader.iterate("""
            SELECT c.session_id, c.answers FROM case_discussion c
            JOIN session_record s ON s.id = c.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d""", {"d": day}):
        case_answers[session_id].append(json.loads(case))
    has: dict[int, dict] = defaultdict(dict)
    for table, key in (("case_discussion", "cases"), ("action_item", "actions"),
                       ("action_review", "action_review")):
        for (session_id,) in reader.iterate(f"SELECT DISTINCT session_id FROM {table} "
                                            f"WHERE session_id IS NOT NULL"):
            has[session_id][key] = True
    seen = []
    query = """
        SELECT s.id, s.held_on, s.template_digest, s.next_meeting, s.supervisor_id,
               ss.person_id
        FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
        WHERE s.status <> 'draft' AND s.held_on <= :d"""
    params: dict = {"d": day}
    if supervisee_id is not None:
        query += " AND ss.person_id = :p"
        params["p"] = supervisee_id
    for id_, held_on, digest, next_meeting, supervisor_id, person_id in reader.rows(
            query + " ORDER BY s.held_on, s.id", params):
        flags = {**has[id_], "next_meeting": next_meeting is not None}
        template = snapshot(session, digest)
        covered = functions_covered(template, answers[id_], flags, case_answers[id_])
        seen.append(Seen(people[person_id][0], people[supervisor_id][0], id_,
                         stored_day(held_on), frozenset(covered)))
    return seen
