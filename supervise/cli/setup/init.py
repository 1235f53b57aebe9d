"""`supervise init`: a new encrypted store, its first custodian, and the recovery key shown once."""

from enum import StrEnum
from typing import Annotated, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import AppState, new_passphrase, warn_if_synced
from supervise.cli.options import store_command
from supervise.cli.output import out


class PolicyProfile(StrEnum):
    minimum_standards = "minimum-standards"
    nhs_icb = "nhs-icb"
    local_authority = "local-authority"
    school_trust = "school-trust"


class KdfProfile(StrEnum):
    strong = "strong"
    owasp_minimum = "owasp-minimum"


KdfOpt = Annotated[KdfProfile, typer.Option(
    "--kdf", help="Argon2id cost of the passphrase: 'strong' (64 MiB, t=3, p=4) or "
    "'owasp-minimum' (19 MiB, t=2, p=1; never lower).")]


def recovery_key_notice(key: bytes) -> None:
    from supervise.domain.recovery import format_recovery_key

    out.message(
        "\nRecovery key: write it down now and keep it in the organisation's safe. It is shown "
        "only this once. With it alone anyone can open this store; without it a forgotten "
        "passphrase means the records are lost."
    )
    out.data(format_recovery_key(key))


@store_command
def init(
    state: AppState,
    org: Annotated[Optional[str], typer.Option(
        "--org", help="The organisation's name, shown on every record.")] = None,
    policy: Annotated[PolicyProfile, typer.Option(
        "--policy", help="The policy profile the store enforces.")] =
        PolicyProfile.minimum_standards,
    role: Annotated[str, typer.Option(
        "--role", help="Your job title.")] = "Designated Safeguarding Lead",
    kdf: KdfOpt = KdfProfile.strong,
) -> None:
    """Create a new encrypted store. You (--user) become its first key holder and a supervisor."""
    from supervise.app.store_files import check_new, create

    path = state.store_path
    warn_if_synced(path.parent if path.parent.exists() else path)
    org, user, role = check_new(  # before the passphrase is asked for
        path, org=org or prompts.text("Organisation name:", hint="give --org NAME."),
        user=state.user or prompts.text("Your full name:", hint="give --user NAME."), role=role)
    passphrase = new_passphrase(
        user, file=state.passphrase_file, env="SUPERVISE_PASSPHRASE",
        flag="--passphrase-file")
    created = create(path, org=org, policy=policy.value, user=user, role=role,
                     passphrase=passphrase, kdf=kdf.value)
    out.message(f"Created the store {path} for {org} (policy {policy.value}); key file "
                f"{created.keys}.")
    recovery_key_notice(created.recovery_key)
