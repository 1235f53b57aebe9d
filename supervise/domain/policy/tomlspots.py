"""Where things are in a TOML file, so problems can name their line.

tomllib gives values, not positions. Templates are plain TOML (top-level keys, `[[sections]]`,
`[[sections.fields]]`), so one pass over the lines finds where each table starts and where each
key of it is written.
"""

import re
import tomllib
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

Spot = tuple[int, ...]  # () top level, (i,) the i-th section, (i, j) its j-th field


@dataclass
class Spots:
    tables: dict[Spot, int] = field(default_factory=dict)
    keys: dict[tuple[Spot, str], int] = field(default_factory=dict)

    def line(self, spot: Spot, key: str | None = None) -> int:
        """The line of `key` in that table, else of the table's header, else of its parent."""
        if key is not None and (spot, key) in self.keys:
            return self.keys[(spot, key)]
        while spot:
            if spot in self.tables:
                return self.tables[spot]
            spot = spot[:-1]
        return 1


def locate(text: str, array: str = "sections", nested: str = "fields") -> Spots:
    spots = Spots()
    current: Spot = ()
    section, item = -1, -1
    in_multiline = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            name = header.group(1).replace(" ", "")
            if name == array:
                spots.keys.setdefault(((), array), number)
                section, item = section + 1, -1
                current = (section,)
            elif name == f"{array}.{nested}":
                item += 1
                current = (section, item)
            else:
                current = (-1,)  # some other table: its keys are not ours to place
            spots.tables.setdefault(current, number)
            continue
        key = _KEY.match(raw)
        if key:
            spots.keys.setdefault((current, key.group(1)), number)
            rest = raw[key.end():]
            if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                in_multiline = True
    return spots


def syntax_error(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """(line, message without the position) of a TOML syntax error."""
    message = str(error)
    match = _AT_LINE.search(message)
    if match:
        return int(match.group(1)), message[: match.start()]
    if message.endswith("(at end of document)"):
        return max(1, len(text.splitlines())), message.removesuffix(" (at end of document)")
    return 1, message
