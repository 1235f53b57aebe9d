"""Records are numbered 1..N as they are made (S1, C1, D1…): a number missing below the highest
is a record deleted, unless the audit trail says why (retention destroyed it, or it was a
draft discarded). A deleted newest record leaves no gap; the anchor in each key holder's slot
(store/keys/anchor.py) catches that one."""

import json
from typing import Any

from supervise.store.db.reading import Reader
from supervise.store.records.numbered import MODELS, label

MAX_LISTED = 5


class Explained:
    """Record numbers the trail accounts for, by kind, gathered event by event as the trail is
    walked (chain_stream.py)."""

    def __init__(self) -> None:
        self.gone: dict[str, set[int]] = {kind: set() for kind in MODELS}
        self.discarded = False

    def see(self, action: str, record_type: str | None, record_id: str | None,
            detail: str) -> None:
        destroyed = action.endswith(".destroyed")
        if not (destroyed or action[-10:].lower() == ".destroyed"
                or action == "session.discard"):
            return
        if record_type in self.gone and record_id and record_id.isdigit():
            self.gone[record_type].add(int(record_id))
        if destroyed:
            said = json.loads(detail)
            self.gone["decision"].update(int(n) for n in said.get("decisions", []))
            self.gone["amendment"].update(int(n) for n in said.get("amendments", []))
        self.discarded = self.discarded or action == "session.discard"

    def accounted(self) -> dict[str, set[int] | None]:
        """By kind; None: any gap may be expected (decisions, once a draft was discarded, as a
        discarded draft takes its decisions, unlisted)."""
        accounted: dict[str, set[int] | None] = dict(self.gone)
        if self.discarded:
            accounted["decision"] = None
        return accounted


def gap_problems(reader: Reader, explained: Explained) -> list[str]:
    """Each kind's numbers read in order, the gaps between them counted as they pass."""
    problems: list[str] = []
    accounted = explained.accounted()
    for kind, model in MODELS.items():
        allowed = accounted.get(kind)
        if allowed is None:
            continue
        table: Any = model
        missing: list[int] = []
        count, last = 0, 0
        for (number,) in reader.iterate(f"SELECT id FROM {table.__tablename__} ORDER BY id"):
            for gap in range(last + 1, number):
                if gap not in allowed:
                    count += 1
                    if len(missing) < MAX_LISTED:
                        missing.append(gap)
            last = max(last, number)
        if count:
            listed = ", ".join(str(n) for n in missing)
            more = f" (and {count - MAX_LISTED} more)" if count > MAX_LISTED else ""
            problems.append(f"{label(kind, missing[0])} is missing" if count == 1 else
                            f"{kind}s {listed}{more} are missing")
            problems[-1] += (": deleted from the store, and no audit event says it was "
                             "destroyed or discarded")
    return problems
