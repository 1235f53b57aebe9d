"""The root command group, loading a subcommand's module only when the command line names it:
Click's documented lazy-loading pattern (a Group whose `get_command` imports by name), on
Typer's group class. `--help` lists every command from the help text kept here, so it loads
none of them (SPEC §9: `--help` ≤ 150 ms however many commands there are), and `person list`
pays only for the person group."""

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

# Name: (module, attribute, one-line help). The attribute is a command group (a Typer app) or
# one command's function.
LAZY: dict[str, tuple[str, str, str]] = {
    "init": ("supervise.cli.setup.init", "init", "Create a new encrypted store."),
    "demo": ("supervise.cli.setup.demo", "demo",
             "Build a sample store (invented people and contracts) and show the tool working "
             "on it."),
    "verify": ("supervise.cli.oversight.verify", "verify",
               "Check an export folder: every file's hash, the manifest's signature, each "
               "record's digest from its parts, every signature, and that each key is tied to "
               "one person (the manifest's to the exporter)."),
    "overdue": ("supervise.cli.oversight.overdue", "overdue",
                "Who is overdue or due soon for supervision, most overdue first, and what is "
                "flagged: no contract, contract unsigned or due for review, actions overdue, a "
                "record incomplete or unsigned, a cancelled meeting not rebooked, supervisor "
                "training due."),
    "backup": ("supervise.cli.setup.backup", "backup",
               "Write an encrypted, consistent copy of the store, and its key file, to one "
               "file."),
    "restore": ("supervise.cli.setup.backup", "restore", "Replace the store with a backup."),
    "doctor": ("supervise.cli.setup.backup", "doctor",
               "Check the store: its file, its key file, every encrypted page, SQLite's "
               "integrity check, the audit trail and every signature."),
    "unlock": ("supervise.cli.setup.unlock", "unlock",
               "Unlock the store once: later commands in this shell ask no passphrase."),
    "lock": ("supervise.cli.setup.unlock", "lock",
             "Lock the store: end the session `supervise unlock` began."),
    "key": ("supervise.cli.setup.key", "app", "Passphrases, key holders, rotation and recovery."),
    "person": ("supervise.cli.records.person", "app",
               "Staff: supervisors, supervisees and key holders."),
    "policy": ("supervise.cli.setup.policy", "app",
               "The organisation's supervision policy: frequencies, contracts, templates."),
    "template": ("supervise.cli.setup.template", "app",
                 "Agenda templates: the questions a contract, session or decision record asks."),
    "contract": ("supervise.cli.records.contract", "app",
                 "Supervision contracts: agreed, signed, reviewed every year."),
    "session": ("supervise.cli.records.session", "app",
                "Supervision sessions: recorded in the meeting, answer by answer."),
    "child": ("supervise.cli.records.child", "app",
              "The case register: children, their families and their status."),
    "decision": ("supervise.cli.records.decision", "app",
                 "Decision records for the child's file, made in case discussions."),
    "action": ("supervise.cli.records.action", "app",
               "Actions agreed in supervision: who, by when, and every review."),
    "audit": ("supervise.cli.oversight.audit", "app",
              "The audit trail: who did what and when, and checking it is intact."),
    "report": ("supervise.cli.oversight.report", "app",
               "Reports: compliance, balance of functions, drift, children unseen."),
    "retention": ("supervise.cli.setup.retention", "app",
                  "Retention: how long records are kept, legal holds, destroying what is due."),
    "export": ("supervise.cli.oversight.export", "app",
               "Export records as DOCX with a signed manifest, for a review or a person."),
}


def load(name: str) -> Any:
    """The Click command for `name`: its module imported now, and only now."""
    from typer.main import get_command

    module, attribute, _ = LAZY[name]
    target = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(add_completion=False, rich_markup_mode=None,
                             pretty_exceptions_enable=False)
        single.command(name)(target)
        target = single
    command = get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in LAZY:
            self.commands[cmd_name] = load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """As Click lists commands, each lazy one's help taken from LAZY, so none is loaded."""
        from typer._click.utils import make_default_short_help

        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, make_default_short_help(LAZY[name][2], limit) if name in LAZY
                 else self.commands[name].get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
