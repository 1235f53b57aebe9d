"""`make pdf`: every export type, from the demo store, converted to PDF by LibreOffice (headless),
with the page count of each; PNGs of every page are written beside them to look at.

Needs LibreOffice (`soffice`) and, for the PNGs, poppler's `pdftoppm`; on Debian:
`apt-get install libreoffice-writer-nogui poppler-utils`. Output goes to .pdf-check/ (git ignores
it: it holds sample records, invented but still not for committing)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".pdf-check"
SUPERVISE = Path(sys.executable).with_name("supervise")
ENV = {**os.environ, "SUPERVISE_STORE": str(OUT / "store" / "store.db"),
       "SUPERVISE_PASSPHRASE": "demo-only-passphrase"}


def run(*args: str) -> None:
    done = subprocess.run([str(SUPERVISE), *args], env=ENV, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"supervise {' '.join(args)} failed ({done.returncode}): {done.stderr}")


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is not installed: apt-get install libreoffice-writer-nogui")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(mode=0o700)
    run("demo", "--store", ENV["SUPERVISE_STORE"])
    docx = OUT / "docx"
    docx.mkdir()
    run("contract", "export", "7", "--out", str(docx / "contract.docx"))
    run("session", "export", "11", "--out", str(docx / "session.docx"))
    run("decision", "export", "3", "--out", str(docx / "decision.docx"))
    run("export", "review", "--child", "Lena Kowalski", "--out", str(OUT / "review"))
    run("export", "person", "Ruth Adeyemi", "--out", str(OUT / "person"))
    shutil.copy(OUT / "review" / "00-index.docx", docx / "review-index.docx")
    shutil.copy(OUT / "person" / "00-index.docx", docx / "person-index.docx")
    first_person = sorted((OUT / "person").glob("*-session-*.docx"))[0]
    shutil.copy(first_person, docx / "person-session.docx")
    pdf = OUT / "pdf"
    files = sorted(docx.glob("*.docx"))
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(pdf),
                    *map(str, files)], check=True, capture_output=True)
    for source in files:
        made = pdf / f"{source.stem}.pdf"
        if not made.is_file():
            sys.exit(f"LibreOffice did not convert {source.name}")
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(made), str(pdf / source.stem)],
                           check=True)
        print(f"{source.name:24} {pages(made):3} page(s)  {made.relative_to(ROOT)}")
    print(f"PNGs of every page are in {pdf.relative_to(ROOT)}/ to look at.")


if __name__ == "__main__":
    main()
