"""`report compliance --docx`: the report laid out as blocks for the DOCX writer: the period,
the organisation's figures with a chart of the monthly series, then each team and supervisor."""

import json
from datetime import datetime

from supervise.domain.document import Chart, Document, Grid, Heading, Remark
from supervise.domain.records.canonical import sha256_hex
from supervise.domain.wording import moment_words, month_words, uk_date

_HEADER = ("", "Due", "Held", "On time", "% on time", "Cancelled (supervisor / supervisee)",
           "Late entries", "Unsigned")


def _figures(label: str, row: dict) -> tuple[str, ...]:
    percent = "–" if row["on_time_percent"] is None else f"{row['on_time_percent']:g}%"
    return (label, str(row["due"]), str(row["held"]), str(row["on_time"]), percent,
            f"{row['cancelled']} ({row['cancelled_by_supervisor']} / "
            f"{row['cancelled_by_supervisee']})", str(row["late_entries"]), str(row["unsigned"]))


def compliance_document(rows: list[dict], *, organisation: str, policy: str, author: str,
                        now: datetime, explanation: str) -> Document:
    first = rows[0]
    period = f"{uk_date(first['from'])} to {uk_date(first['to'])}"
    doc = Document(organisation=organisation, title="Supervision Compliance Report",
                   reference=f"Compliance {period}",
                   digest=sha256_hex(json.dumps(rows, sort_keys=True).encode("utf-8")),
                   author=author, created=now,
                   subtitle=period, digest_label="Figures")
    doc.blocks += [
        Grid(rows=(("Period", period), ("Policy", policy), ("Prepared by", author),
                   ("Prepared on", moment_words(now)))),
        Remark(explanation),
        Heading("Monthly series", 2),
        Chart(title="Supervision due, held and on time, by month",
              categories=tuple(month_words(m["month"], short=True) for m in first["months"]),
              series=(("Due", tuple(float(m["due"]) for m in first["months"])),
                      ("Held", tuple(float(m["held"]) for m in first["months"])),
                      ("On time", tuple(float(m["on_time"]) for m in first["months"]))),
              y_title="Sessions"),
        Grid(rows=tuple(_figures(month_words(m["month"]), m) for m in first["months"]),
             header=("Month", *_HEADER[1:]), widths=(3, 2, 2, 2, 2, 4, 3, 3)),
    ]
    for group, title in (("organisation", "Whole organisation"), ("team", "By team"),
                         ("supervisor", "By supervisor")):
        chosen = [r for r in rows if r["group"] == group]
        if chosen:
            doc.blocks += [Heading(title, 2),
                           Grid(rows=tuple(_figures(organisation if group == "organisation"
                                                    else r["name"], r) for r in chosen),
                                header=("Name" if group != "organisation" else "",
                                        *_HEADER[1:]), widths=(4, 2, 2, 2, 2, 4, 3, 3))]
    return doc
