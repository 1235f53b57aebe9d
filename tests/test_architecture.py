"""The house rules, read from the source (docs/architecture.md): layers import one way, nothing
imports in a circle (not even from inside a function), the CLI opens no transaction, domain/
does no I/O and reads no clock, and no message below the CLI names a flag or a command."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from supervise.cli.hints import HINTS

ROOT = Path(__file__).resolve().parents[1] / "supervise"

# What each layer may import from the product (beyond itself and the package's __version__).
# Anything else is a layer broken.
MAY_IMPORT = {name: {"__init__", *others} for name, others in {
    "cli": {"app", "domain", "errors", "clock"},
    "app": {"store", "export", "demo", "domain", "errors", "clock", "files", "keycrypto"},
    "demo": {"store", "domain", "errors", "files", "keycrypto"},
    "store": {"domain", "errors", "files", "keycrypto"},
    "export": {"domain", "errors", "files", "keycrypto"},
    "domain": {"errors"},
    "errors": set(), "clock": set(), "files": set(), "keycrypto": set(), "__init__": set(),
    "__main__": {"cli"},
}.items()}
NO_IO = {"os", "io", "pathlib", "shutil", "subprocess", "socket", "sqlite3", "tempfile", "time",
         "urllib", "http", "sys", "supervise.clock"}
BELOW_CLI = ("app", "store", "domain", "export", "demo")


def modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = ["supervise", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def imports_of(tree: ast.AST) -> Iterator[tuple[ast.stmt, str]]:
    """Every import anywhere in the module (inside functions too), as the modules it names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield node, full if full in MODULES else node.module


def product_graph() -> dict[str, set[str]]:
    return {name: {target for _, target in imports_of(tree)
                   if target in MODULES and target != name}
            for name, tree in TREES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_cycle_finder_finds_a_cycle_and_a_clean_graph_has_none():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_in_a_circle_not_even_from_inside_a_function():
    assert cycles(product_graph()) == []


def test_layers_import_one_way():
    broken = [f"{name} imports {target}"
              for name, targets in product_graph().items()
              for target in targets
              if layer(target) != layer(name) and layer(target) not in MAY_IMPORT[layer(name)]]
    assert broken == []


def test_the_cli_opens_no_transaction_and_writes_no_audit_event():
    found = []
    for name, tree in TREES.items():
        if layer(name) != "cli":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("session", "append_event"):
                found.append(f"{name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Name) and node.id == "append_event":
                found.append(f"{name}:{node.lineno} append_event")
    assert found == []


def test_domain_does_no_io_and_reads_no_clock():
    found = []
    for name, tree in TREES.items():
        if layer(name) != "domain":
            continue
        found += [f"{name}:{node.lineno} imports {target}" for node, target in imports_of(tree)
                  if target.split(".")[0] in NO_IO or target in NO_IO]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("open", "print", "input"):
                found.append(f"{name}:{node.lineno} calls {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow") \
                    and isinstance(node.value, ast.Name) and node.value.id in ("datetime",
                                                                               "date"):
                found.append(f"{name}:{node.lineno} reads the clock")
    assert found == []


# SQL and drivers only SQLite or SQLCipher speak: they belong behind the backend seam.
SQLITE_ONLY = re.compile(r"\bPRAGMA\b|\bsqlite_(master|sequence|schema)\b|BEGIN IMMEDIATE|"
                         r"VACUUM|sqlcipher_export|\bATTACH DATABASE\b|AUTOINCREMENT")
BACKEND = "supervise.store.db.sqlcipher"
SEAM = "supervise.store.db.backend"


def sqlite_specifics(name: str, tree: ast.AST) -> Iterator[str]:
    for node, target in imports_of(tree):
        if target.split(".")[0] in ("sqlcipher3", "sqlite3") or (
                target == BACKEND and name != SEAM):
            yield f"{name}:{node.lineno} imports {target}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                SQLITE_ONLY.search(node.value) and not _is_docstring(tree, node):
            yield f"{name}:{node.lineno} {SQLITE_ONLY.search(node.value)[0]}"


def _is_docstring(tree: ast.AST, constant: ast.Constant) -> bool:
    return any(isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
               and isinstance(n.body[0], ast.Expr) and n.body[0].value is constant
               for n in ast.walk(tree))


def test_the_specifics_finder_finds_sqlite_sql_and_drivers():
    tree = ast.parse('"""VACUUM in a docstring is prose."""\nimport sqlcipher3\n'
                     'def f(c):\n    c.execute("PRAGMA integrity_check")\n')
    assert list(sqlite_specifics("supervise.store.x", tree)) == [
        "supervise.store.x:2 imports sqlcipher3", "supervise.store.x:4 PRAGMA"]


def test_only_the_backend_speaks_sqlite():
    """Every SQLite or SQLCipher specific (driver, PRAGMAs, locking, backup, rekey, the schema
    catalogue) is in store/db/sqlcipher.py, reached through the one seam, store/db/backend.py."""
    found = [line for name, tree in TREES.items() if name != BACKEND
             for line in sqlite_specifics(name, tree)]
    assert found == []


FLAG_OR_COMMAND = re.compile(r"(?<![\w-])--[a-z][a-z-]*|`supervise\b|\bsupervise [a-z]+ ")


def error_texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """The literal text of every exception raised (the message a user would read)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args[:1]:
                for part in ast.walk(arg):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        yield node.lineno, part.value


def test_the_flag_finder_finds_flags_and_commands():
    tree = ast.parse('raise UsageError(f"give {who} another --supervisor, see `supervise person '
                     'list`")')
    texts = [text for _, text in error_texts(tree)]
    assert [text for text in texts if FLAG_OR_COMMAND.search(text)] == [texts[1]]
    assert FLAG_OR_COMMAND.search("Resume it with `supervise session resume 3`.")
    assert FLAG_OR_COMMAND.search("check --supervisor.")
    assert not FLAG_OR_COMMAND.search("a well-formed record -- signed and dated")


def test_no_message_below_the_cli_names_a_flag_or_a_command():
    found = [f"{name}:{line} {text!r}" for name, tree in TREES.items()
             if layer(name) in BELOW_CLI
             for line, text in error_texts(tree) if FLAG_OR_COMMAND.search(text)]
    assert found == []


def hint_keys() -> Iterator[tuple[str, int, str]]:
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and \
                    isinstance(node.args[0], ast.Constant) and (
                        (isinstance(node.func, ast.Name) and node.func.id == "Hint") or
                        (isinstance(node.func, ast.Attribute) and node.func.attr == "of"
                         and isinstance(node.func.value, ast.Name)
                         and node.func.value.id == "Hint")):
                yield name, node.lineno, node.args[0].value


def test_every_hint_raised_has_its_words_in_the_cli_catalogue_and_none_is_unused():
    used = {key for _, _, key in hint_keys()}
    assert sorted(f"{name}:{line} {key}" for name, line, key in hint_keys()
                  if key not in HINTS) == []
    assert sorted(set(HINTS) - used) == []


def hand_stamped(tree: ast.AST) -> Iterator[str]:
    """Store functions given a transaction and, beside it, the moment and the actor by hand."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            positional = [a.arg for a in node.args.posonlyargs + node.args.args]
            named = {a.arg for a in node.args.args + node.args.kwonlyargs}
            if positional[:1] == ["session"] and {"now", "actor"} <= named:
                yield f"{node.lineno} {node.name}"


def test_the_stamp_finder_finds_a_write_given_its_moment_by_hand():
    tree = ast.parse("def f(session, x, *, now, actor): ...\ndef g(work, x): ...\n")
    assert list(hand_stamped(tree)) == ["1 f"]


def test_store_writes_take_the_unit_of_work_not_now_and_actor_by_hand():
    found = [f"{name}:{line}" for name, tree in TREES.items() if layer(name) == "store"
             for line in hand_stamped(tree)]
    assert found == []
