"""The policy in force and the templates: reading, checking and replacing the policy, the
template catalogue (shipped templates and the user's own folder), checking a template file and
writing an answers-file skeleton."""

from dataclasses import dataclass
from pathlib import Path

from supervise.app.unit import unit_of_work
from supervise.clock import now
from supervise.domain.policy.organisation_policy import Policy
from supervise.errors import SuperviseError, UsageError
from supervise.store.catalog import Catalog, TemplateFile
from supervise.store.db.opening import Store
from supervise.store.records import policies

__all__ = ["Catalog", "TemplateFile", "catalog", "check_template_file", "current_policy",
           "policy_from", "replace_policy", "skeleton", "unusable_templates",
           "write_answers_file"]


def catalog(user_dir: Path | None) -> Catalog:
    """The templates: the user's own in `user_dir` first, then the shipped ones."""
    return Catalog(user_dir)


def current_policy(store: Store) -> tuple[Policy, int]:
    """The policy in force and its version in this store."""
    with unit_of_work(store) as work:
        return policies.current_policy(work.session)


def policy_from(source: str) -> Policy:
    """A policy file at `source`, or else the shipped profile of that name."""
    from supervise.domain.policy.organisation_policy import parse_policy
    from supervise.store.catalog import policy_names, read_text, shipped_policy

    path = Path(source)
    if not path.exists() and source in policy_names():
        return shipped_policy(source)
    return parse_policy(read_text(path, "policy file"), str(path))


def unusable_templates(policy: Policy, templates: Catalog) -> list[SuperviseError]:
    """Why each template the policy names cannot be used (missing, broken, the wrong kind)."""
    wanted = [(policy.decision_template, "decision")] + [
        (t, kind) for k in policy.kinds.values()
        for t, kind in ((k.contract_template, "contract"), (k.session_template, "session")) if t]
    problems = []
    for template_id, kind in wanted:
        try:
            templates.get(template_id, kind=kind)
        except SuperviseError as error:
            problems.append(error)
    return problems


def replace_policy(store: Store, policy: Policy) -> int | None:
    """Put `policy` in force: its version in this store, or None when it already is."""
    with unit_of_work(store) as work:
        current, _ = policies.current_policy(work.session)
        if current.digest == policy.digest:
            return None
        return policies.set_policy(work, policy)


@dataclass(frozen=True)
class CheckedFile:
    file: TemplateFile
    replaces_shipped: bool  # a good template whose id a shipped one has


def check_template_file(path: Path, templates: Catalog) -> CheckedFile:
    from supervise.store.catalog import read_template_file

    checked = read_template_file(path)
    template = checked.template
    replaces = template is not None and any(
        e.id == template.id and e.origin == "shipped" for e in templates.files())
    return CheckedFile(checked, replaces)


def skeleton(templates: Catalog, template_id: str, *, as_json: bool) -> str:
    """A filled-in answers file for the template, dated today, as TOML or JSON."""
    from supervise.domain.policy.skeleton import skeleton_json, skeleton_toml
    from supervise.store.catalog import kind_for_template

    template = templates.get(template_id)
    kind = kind_for_template(template.id) if template.kind == "contract" else None
    return (skeleton_json if as_json else skeleton_toml)(template, now().date(), kind)


def write_answers_file(path: Path, text: str) -> None:
    """A new file (0600), written whole or not at all; an existing one is never replaced."""
    from supervise.files import atomic_write

    if path.exists():
        raise UsageError(f"{path} already exists: choose another name or remove it first.")
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"Cannot write {path} ({error.strerror}): check the folder.") from None
