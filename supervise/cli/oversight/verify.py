"""`supervise verify DIR`: checks an export folder with no store and no passphrase (SPEC §7)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.output import out


def verify(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The export folder.")],
    exporter_fingerprint: Annotated[Optional[str], typer.Option(
        "--exporter-fingerprint", metavar="FP", help="The exporter's key fingerprint as the "
        "organisation gave it to you: ties the export to them where nothing in it does.")]
        = None,
) -> None:
    """Check an export folder: every file's hash, the manifest's signature, each record's
    digest from its parts, every signature, and that each key is tied to one person (the
    manifest's to the exporter). Lists every key by name. Exit 4 listing each problem. Needs
    no store."""
    from supervise.app.audit import verify_export as verify_bundle
    from supervise.domain.text import counted, visible
    from supervise.errors import UsageError, VerificationError

    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder: give the folder an export was written to.")
    result = verify_bundle(folder, exporter_fingerprint)
    for problem in result.problems:
        out.data(problem)
    summary = ", ".join([counted(result.files, "file"), counted(result.records, "record"),
                         counted(result.signatures, "signature")])
    if result.problems:
        raise VerificationError(
            f"{counted(len(result.problems), 'problem')} found ({summary} checked): this "
            f"folder is not as it was exported. Ask the organisation for a fresh export.")
    if not result.tied and result.keys:
        name, key, _ = result.keys[0]
        raise VerificationError(visible(
            f"Nothing in it ties key {key} to {name}, who signed no record in it ({summary} "
            f"checked, each intact): anyone could have signed it with a key of their own. "
            f"Ask the organisation for {name}'s key fingerprint by another route; if it is "
            f"that one, run `supervise verify {folder} --exporter-fingerprint {key}`."))
    # names come from the folder: shown with any control character visible, never obeyed
    out.message(f"Intact: {summary} checked, and the manifest is signed by its exporter"
                + (" (the key the organisation gave you)." if result.confirmed else "."))
    out.message(visible(f"{result.exporter}: confirm that key with the organisation by "
                        f"another route."))
    out.message("Every key in it, by the person it is tied to: hold each fingerprint against "
                "the organisation's published ones.")
    for name, key, what in result.keys:
        out.message(visible(f"  {name}: {key} ({what})"))

