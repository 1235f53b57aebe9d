"""`make pdf`: every export type, from a copy of the demo store, converted to PDF by LibreOffice
(headless), with the page count of each; PNGs of every page are written beside them to look at.

One record for each shipped template (each session and contract template, the decision record),
the review bundle's index, the person export (its index and a session) and the compliance report.
A template the demo has no signed record of gets one here, from its skeleton, through the
product's own commands (`template skeleton ID --json`, `session new` / `contract new --answers`,
`sign`), in the store under .pdf-check/ only.

Needs LibreOffice (`soffice`) and, for the PNGs, poppler's `pdftoppm`; on Debian:
`apt-get install libreoffice-writer-nogui poppler-utils`. Output goes to .pdf-check/ (git ignores
it: it holds sample records, invented but still not for committing)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".pdf-check"
SUPERVISE = Path(sys.executable).with_name("supervise")
ENV = {**os.environ, "SUPERVISE_STORE": str(OUT / "store" / "store.db"),
       "SUPERVISE_PASSPHRASE": "demo-only-passphrase"}
SIGNED_IN = "Alex Morgan"  # the demo's custodian: signs with the store's passphrase
SKELETON_SUPERVISEE = "Sam Taylor"  # whom every skeleton names; not in the demo
# Demo staff with no contract of the demo policy's "external" kind: a contract made here for
# another policy's template is of that kind, since the demo's policy knows no other kinds.
CONTRACT_SUPERVISEES = ["Hannah Novak", "Sam Rivera", "Grace Lee", "Tom Okafor"]
SESSION_SUPERVISEE = "Tom Okafor"
REVIEW_CHILD, PERSON = "Lena Kowalski", "Ruth Adeyemi"


def run(*args: str) -> str:
    done = subprocess.run([str(SUPERVISE), *args], env=ENV, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"supervise {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def listed(*args: str) -> list[dict[str, Any]]:
    return json.loads(run(*args, "--json"))


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def answers_for(template: str, supervisee: str) -> Path:
    """The template's skeleton with a demo supervisee in place of the one it names."""
    skeleton = run("template", "skeleton", template, "--json")
    path = OUT / "answers" / f"{template}.json"
    path.write_text(skeleton.replace(SKELETON_SUPERVISEE, supervisee), encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def sign_all(kind: str, record: str, supervisor: str, supervisees: list[str]) -> None:
    run(kind, "sign", record, "--as", supervisor, "--yes")
    for name in supervisees:
        run(kind, "sign", record, "--as", name, "--typed", "--typed-name", name, "--yes")


def latest(rows: list[dict[str, Any]], template: str) -> str | None:
    """The newest signed record made with `template`, if the demo has one."""
    mine = [r for r in rows if r.get("template") == template and r.get("status") != "draft"
            and (r.get("signed") or r.get("status") == "signed")]
    return str(max(mine, key=lambda r: int(r["id"]))["id"]) if mine else None


def session_for(template: str, sessions: list[dict[str, Any]]) -> str:
    found = latest(sessions, template)
    if found:
        return found
    answers = answers_for(template, SESSION_SUPERVISEE)
    made = json.loads(answers.read_text(encoding="utf-8"))
    record = run("session", "new", "--answers", str(answers)).strip()
    sign_all("session", record, made.get("supervisor", SIGNED_IN), made.get("supervisees", []))
    return record


def contract_for(template: str, contracts: list[dict[str, Any]], spare: list[str]) -> str:
    found = latest(contracts, template)
    if found:
        return found
    supervisee = spare.pop(0)
    answers = answers_for(template, supervisee)
    made = json.loads(answers.read_text(encoding="utf-8"))
    record = run("contract", "new", "--answers", str(answers), "--kind", "external").strip()
    sign_all("contract", record, made.get("supervisor", SIGNED_IN), [supervisee])
    return record


def record_exports(docx: Path) -> None:
    """One DOCX per shipped template, named by kind and template id."""
    sessions = listed("session", "list")
    contracts = listed("contract", "list", "--all")
    decisions = listed("decision", "list")
    spare = list(CONTRACT_SUPERVISEES)
    for template in listed("template", "list"):
        if template["origin"] != "shipped":
            continue
        tid, kind = template["id"], template["kind"]
        if kind == "session":
            record = session_for(tid, sessions)
        elif kind == "contract":
            record = contract_for(tid, contracts, spare)
        else:
            record = next((str(d["id"]) for d in decisions if d.get("template") == tid), "")
            if not record:
                sys.exit(f"The demo has no decision record made with {tid}")
        run(kind, "export", record, "--out", str(docx / f"{kind}-{tid}.docx"))


def bundle_exports(docx: Path) -> None:
    run("export", "review", "--child", REVIEW_CHILD, "--out", str(OUT / "review"))
    run("export", "person", PERSON, "--out", str(OUT / "person"))
    shutil.copy(OUT / "review" / "00-index.docx", docx / "review-index.docx")
    shutil.copy(OUT / "person" / "00-index.docx", docx / "person-index.docx")
    first_person = sorted((OUT / "person").glob("*-session-*.docx"))[0]
    shutil.copy(first_person, docx / "person-session.docx")
    run("report", "compliance", "--docx", str(docx / "compliance-report.docx"))


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is not installed: apt-get install libreoffice-writer-nogui")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(mode=0o700)
    (OUT / "answers").mkdir(mode=0o700)
    run("demo", "--store", ENV["SUPERVISE_STORE"])
    docx = OUT / "docx"
    docx.mkdir(mode=0o700)
    record_exports(docx)
    bundle_exports(docx)
    pdf = OUT / "pdf"
    files = sorted(docx.glob("*.docx"))
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(pdf),
                    *map(str, files)], check=True, capture_output=True)
    made = []
    for source in files:
        result = pdf / f"{source.stem}.pdf"
        if not result.is_file():
            sys.exit(f"LibreOffice did not convert {source.name}")
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(result), str(pdf / source.stem)],
                           check=True)
        made.append((result, pages(result)))
    width = max(len(p.name) for p, _ in made)
    print(f"{len(made)} PDFs in {pdf.relative_to(ROOT)}/, with a PNG of every page:")
    for result, count in made:
        print(f"  {result.name:{width}} {count:3} page(s)")


if __name__ == "__main__":
    main()
