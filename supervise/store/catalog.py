"""Where templates and policy profiles come from: the shipped ones (`templates/` and `policies/`
in the project, or `share/supervise/` when installed), and the user's own templates folder,
whose templates replace shipped ones with the same id."""

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from supervise.domain.names import closest
from supervise.domain.policy.organisation_policy import Policy, parse_policy
from supervise.domain.policy.templates import Problem, Template, TemplateError, check_template
from supervise.errors import Hint, NotFoundError, UsageError
from supervise.files import NotARegularFile, read_regular

_PROJECT = Path(__file__).resolve().parents[2]


def shipped_dir(name: str) -> Path:
    """`templates` or `policies`: beside the package in a checkout, else where pip put them."""
    beside = _PROJECT / name
    return beside if beside.is_dir() else Path(sys.prefix) / "share" / "supervise" / name


def read_text(path: Path, what: str) -> str:
    """A file's text as `Path.read_text` gives it (newlines made `\\n`), from a regular file only:
    a named pipe or a device is refused rather than waited on."""
    try:
        text = read_regular(path).decode("utf-8-sig")  # Notepad's byte-order mark is fine
        return text.replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise UsageError(f"The {what} {path} does not exist: check the path.") from None
    except (IsADirectoryError, NotARegularFile) as error:
        if isinstance(error, IsADirectoryError) or error.kind == "a folder":
            raise UsageError(f"{path} is a folder: give the {what} itself.") from None
        raise UsageError(f"The {what} {path} is {error.kind}, not a regular file: give the "
                         "file itself.") from None
    except UnicodeDecodeError:
        raise UsageError(f"The {what} {path} is not UTF-8 text: save it as UTF-8.") from None
    except OSError as error:
        raise UsageError(f"The {what} {path} cannot be read ({error.strerror}).") from None


@dataclass
class TemplateFile:
    path: Path
    origin: str  # "shipped" or "user"
    template: Template | None = None
    problems: list[Problem] = field(default_factory=list)
    overridden: bool = False

    @property
    def id(self) -> str:
        return self.template.id if self.template else self.path.stem

    @property
    def error(self) -> TemplateError:
        return TemplateError(str(self.path), self.problems)


def read_template_file(path: Path, origin: str = "user") -> TemplateFile:
    try:
        text = read_text(path, "template")
    except UsageError as error:
        return TemplateFile(path, origin, problems=[Problem(1, error.message)])
    template, problems = _checked(text)
    return TemplateFile(path, origin, template, list(problems))


@lru_cache(maxsize=64)
def _checked(text: str) -> tuple[Template | None, tuple[Problem, ...]]:
    """A template's text is parsed and checked once per process (templates are immutable
    values): a command that looks up several templates reads each file, but parses it once."""
    template, problems = check_template(text)
    return template, tuple(problems)


class Catalog:
    def __init__(self, user_dir: Path | None) -> None:
        self.user_dir = user_dir
        self._files: list[TemplateFile] | None = None

    def files(self) -> list[TemplateFile]:
        """Every template file, user ones first; shipped ones a user file replaces are marked."""
        if self._files is None:
            user = self._read(self.user_dir, "user")
            taken = {f.id for f in user}
            shipped = self._read(shipped_dir("templates"), "shipped")
            for entry in shipped:
                entry.overridden = entry.id in taken
            self._files = user + shipped
        return self._files

    @staticmethod
    def _read(folder: Path | None, origin: str) -> list[TemplateFile]:
        if folder is None or not folder.is_dir():
            return []
        return [read_template_file(p, origin) for p in sorted(folder.glob("*.toml"))]

    def in_use(self) -> list[TemplateFile]:
        return [f for f in self.files() if not f.overridden]

    def get(self, template_id: str, kind: str | None = None) -> Template:
        """The template with that id (a user's first); a broken one is refused, never skipped."""
        for entry in self.in_use():
            if entry.id == template_id:
                if entry.template is None:
                    raise entry.error
                if kind and entry.template.kind != kind:
                    raise UsageError(f"{template_id} is a {entry.template.kind} template, not a "
                                     f"{kind} one:", Hint.of("see_templates"))
                return entry.template
        ids = [f.id for f in self.in_use()]
        near = closest(template_id, ids)
        if near:
            raise NotFoundError(f"No template {template_id!r}. Did you mean: {', '.join(near)}?")
        raise NotFoundError(f"No template {template_id!r}.", Hint.of("see_template_list"))


def policy_names() -> list[str]:
    return sorted(p.stem for p in shipped_dir("policies").glob("*.toml"))


def shipped_policy(name: str) -> Policy:
    path = shipped_dir("policies") / f"{name}.toml"
    if not path.is_file():
        raise UsageError(f"No policy profile {name!r}: use one of {', '.join(policy_names())},",
                         Hint.of("or_set_own_policy"))
    return parse_policy(read_text(path, "policy"), name)


def kind_for_template(template_id: str) -> str | None:
    """The contract kind a shipped profile uses this contract template for, if any."""
    for name in policy_names():
        for kind in shipped_policy(name).kinds.values():
            if kind.contract_template == template_id:
                return kind.name
    return None
