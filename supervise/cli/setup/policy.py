"""`supervise policy …`: the rules the store enforces, as data."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.hints import rendered
from supervise.cli.options import command_group, store_command
from supervise.cli.output import out

if TYPE_CHECKING:
    from supervise.domain.policy.organisation_policy import Policy

app = command_group("The organisation's supervision policy: frequencies, contracts, templates.")


def policy_summary(policy: "Policy", version: int) -> dict[str, Any]:
    """The one shape `policy show` prints as text or JSON."""
    return {
        "profile": policy.id, "title": policy.title, "source": policy.source,
        "profile_version": policy.version, "store_version": version,
        "default_kind": policy.default_kind,
        "default_frequency": str(policy.default_frequency),
        "kinds": [{"kind": k.name, "label": k.label,
                   "frequency": str(k.frequency or policy.default_frequency),
                   "duration_minutes": k.duration, "contract_template": k.contract_template,
                   "session_template": k.session_template} for k in policy.kinds.values()],
        "frequency_rules": [{"role": r.role, "every": str(r.every)} for r in policy.rules],
        "newly_qualified": policy.newly_qualified.words() if policy.newly_qualified else None,
        "decision_template": policy.decision_template,
        "contract_signed_before_session": policy.sign_before_session,
        "contract_agreed_within_days": policy.agree_within_days,
        "contract_review_months": policy.review_months,
        "group_sessions_count": policy.group_counts,
        "ad_hoc_sessions_count": policy.ad_hoc_counts,
        "late_entry_after_days": policy.late_entry_days,
        "case_holders_at_least": (str(policy.case_holder_max_interval)
                                  if policy.case_holder_max_interval else None),
        "supervisor_training_within_months": policy.training_within_months,
        "terms": [{"term": t.name, "from": _month_day(t.start),
                   "to": _month_day(t.end)}
                  for t in policy.terms],
        "retention": policy.retention,
        "digest": policy.digest,
    }


def _month_day(value: tuple[int, int]) -> str:
    return f"{value[0]:02d}-{value[1]:02d}"


@app.command("show")
@store_command
def show(
    state: AppState,
    json_: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
    toml: Annotated[bool, typer.Option(
        "--toml", help="Print the policy file itself, to edit and `policy set`.")] = False,
) -> None:
    """Show the policy in force."""
    from supervise.app.policy import current_policy
    from supervise.domain.policy.frequency import parse_frequency

    with open_store(state, read_only=True) as store:
        policy, version = current_policy(store)
    if toml:
        out.data(policy.text.rstrip("\n"))
        return
    summary = policy_summary(policy, version)
    if json_:
        out.json(summary)
        return
    out.data(f"{policy.title} ({policy.id}, policy version {version} in this store)")
    if policy.source:
        out.data(f"From: {policy.source}")
    out.data(f"Default frequency: {policy.default_frequency.words()}")
    out.table(summary["kinds"], [("kind", "Kind"), ("label", "Contract"),
                                 ("frequency", "Frequency"), ("duration_minutes", "Minutes"),
                                 ("contract_template", "Contract template"),
                                 ("session_template", "Session template")],
              as_json=False, empty="")
    for rule in policy.rules:
        out.data(f"Roles like {rule.role!r}: {rule.every.words()}")
    if policy.newly_qualified:
        out.data(f"Newly qualified: {policy.newly_qualified.words()}")
    if policy.case_holder_max_interval:
        out.data(f"Case holders: never less than "
                 f"{parse_frequency(str(policy.case_holder_max_interval)).words()}")
    out.data(f"Contract: signed before session {policy.sign_before_session}"
             + (f", agreed within {policy.agree_within_days} days of starting"
                if policy.agree_within_days else "")
             + f"; reviewed every {policy.review_months} months")
    out.data(f"Group sessions count toward frequency: {'yes' if policy.group_counts else 'no'};"
             f" ad hoc: {'yes' if policy.ad_hoc_counts else 'no'}")
    out.data(f"Late entry: written more than {policy.late_entry_days} days after the meeting")
    out.data(f"Supervisors trained within {policy.training_within_months} months")
    out.data("Terms: " + "; ".join(f"{t['term']} {t['from']} to {t['to']}"
                                   for t in summary["terms"]))


@app.command("set")
@store_command
def set_(
    state: AppState,
    source: Annotated[str, typer.Argument(
        metavar="FILE|PROFILE", help="A policy TOML file, or a shipped profile's name.")],
) -> None:
    """Replace the policy in force (the old one is kept; records keep the version they were
    made under)."""
    from supervise.app.policy import policy_from, replace_policy, unusable_templates
    from supervise.errors import SuperviseError

    policy = policy_from(source)
    problems = [rendered(error) for error in unusable_templates(policy, catalog())]
    if problems:
        raise SuperviseError(f"The policy names templates that cannot be used: "
                             f"{' '.join(problems)}")
    with open_store(state) as store:
        version = replace_policy(store, policy)
    if version is None:
        out.message(f"The policy in force is already this one ({policy.id}); nothing "
                    f"was changed.")
        return
    out.message(f"The policy is now {policy.title} ({policy.id}), version {version} in this "
                f"store. Records made earlier keep the version they were made under.")
