"""Any record's printout from its facts: the one entry point the store's exports call."""

from datetime import datetime

from supervise.domain.document import Document
from supervise.domain.printouts.contract import contract_page
from supervise.domain.printouts.decision import decision_page
from supervise.domain.printouts.facts import PrintFacts
from supervise.domain.printouts.page import Page
from supervise.domain.printouts.session import session_page

PAGES = {"contract": contract_page, "session": session_page, "decision": decision_page}


def lay_out(facts: PrintFacts, *, organisation: str, author: str, now: datetime) -> Document:
    """The record as an export shows it: `now` is the export's moment (the file's date)."""
    page = Page(facts, organisation=organisation, author=author, now=now)
    PAGES[facts.record_type](page)
    return page.doc
