"""The bench's measuring machinery, free of anything it measures: interleaved runs, series with
their median and range, rows judged against a target (a limit, a ratio to a floor measured beside
it, or both), the machine's load, and the Markdown table. Standard library only."""

import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float | None = None  # the process's peak resident memory (os.wait4), when known
    stopped: bool = False  # killed at its time limit: `seconds` is that limit, a lower bound


Runner = Callable[[], Sample]


def timed(fn: Callable[[], object]) -> Runner:
    """A runner timing `fn()` by the wall clock."""

    def run() -> Sample:
        started = time.perf_counter()
        fn()
        return Sample(time.perf_counter() - started)

    return run


def interleave(runners: dict[str, Runner], runs: int, warmup: int = 0) -> dict[str, list[Sample]]:
    """Each runner in turn, round after round (A, floor, A, floor, …), so that a change in the
    machine's load falls on all of them alike. Warm-up rounds are run the same way, not kept."""
    for _ in range(warmup):
        for runner in runners.values():
            runner()
    samples: dict[str, list[Sample]] = {name: [] for name in runners}
    for _ in range(runs):
        for name, runner in runners.items():
            samples[name].append(runner())
    return samples


@dataclass(frozen=True)
class Series:
    """Figures of one thing measured several times, in seconds or MB."""

    values: tuple[float, ...]
    unit: str = "s"
    stopped: bool = False

    @classmethod
    def times(cls, samples: list[Sample]) -> "Series":
        return cls(tuple(s.seconds for s in samples), "s", any(s.stopped for s in samples))

    @classmethod
    def peaks(cls, samples: list[Sample]) -> "Series":
        return cls(tuple(s.peak_mb for s in samples if s.peak_mb is not None), "MB",
                   any(s.stopped for s in samples))

    @property
    def runs(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def judged(self) -> float:
        """What a target is held against: the median of times, the highest of peaks."""
        return self.high if self.unit == "MB" else self.median


def amount(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB" if value >= 100 else f"{value:.1f} MB"
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms" if value < 0.01 else f"{value * 1000:.0f} ms"


def limit_text(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:g} MB"
    return f"{value:g} s" if value >= 1 else f"{value * 1000:g} ms"


def spread(series: Series) -> str:
    """min–max, in the unit of the larger end."""
    low, high = amount(series.low, series.unit), amount(series.high, series.unit)
    low_number, low_unit = low.split(" ")
    high_number, high_unit = high.split(" ")
    if low_unit == high_unit:
        return f"{low_number}–{high_number} {high_unit}"
    return f"{low}–{high}"


@dataclass
class Row:
    """One line of the results: a figure, what it is held against, and how it was measured."""

    what: str
    figure: Series | None
    command: str
    limit: float | None = None  # in the figure's unit: its median (times) or highest (peaks)
    peer: Series | None = None  # the floor or peer measured beside it, interleaved
    peer_what: str = ""
    peer_command: str = ""
    max_ratio: float | None = None  # figure's median ÷ peer's median
    must: int | None = None  # its place among the "Must show" rows; None: other figures
    failed: str | None = None  # why there is no figure
    skipped: str | None = None  # not measured in this run, on purpose (and what is known)

    @property
    def ratio(self) -> float | None:
        if self.figure is None or self.peer is None or not self.peer.runs:
            return None
        return self.figure.median / self.peer.median if self.peer.median else None

    def met(self) -> bool | None:
        """None when there is no target; a figure that failed, or a run stopped at its limit,
        never meets one."""
        if self.skipped is not None or (self.limit is None and self.max_ratio is None):
            return None
        if self.failed is not None or self.figure is None or not self.figure.runs:
            return False
        if self.figure.stopped:
            return False
        if self.limit is not None and self.figure.judged() > self.limit:
            return False
        if self.max_ratio is not None:
            ratio = self.ratio
            if ratio is None or ratio > self.max_ratio:
                return False
        return True

    def target(self) -> str:
        unit = self.figure.unit if self.figure is not None else "s"
        parts = []
        if self.limit is not None:
            every = " (every run)" if unit == "MB" else ""
            parts.append(f"≤ {limit_text(self.limit, unit)}{every}")
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g} × the floor beside it")
        return ", and ".join(parts) or "—"


def runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def row_cells(row: Row) -> list[str]:
    met = {None: "—", True: "yes", False: "**no**"}[row.met()]
    if row.skipped is not None:
        figure = [f"not measured: {row.skipped}", "—", "0"]
    elif row.failed is None and row.figure is not None and row.figure.stopped \
            and not row.figure.runs:
        figure = ["unknown: stopped at the time limit", "—", "0"]
    elif row.failed is not None or row.figure is None or not row.figure.runs:
        figure = ["failed: " + (row.failed or "no figure"), "—", "0"]
    else:
        stop = " (stopped at the limit)" if row.figure.stopped else ""
        sign = "> " if row.figure.stopped else ""
        figure = [f"{sign}{amount(row.figure.median, row.figure.unit)}{stop}",
                  spread(row.figure), str(row.figure.runs)]
    if row.peer is not None and row.peer.runs:
        beside = (f"{row.peer_what}: {amount(row.peer.median, row.peer.unit)} "
                  f"({spread(row.peer)}, {runs(row.peer.runs)})")
    else:
        beside = "—"
    ratio = f"{row.ratio:.2f} ×" if row.ratio is not None else "—"
    command = row.command
    if row.peer_command:
        command += f"; beside it: {row.peer_command}"
    return [_cell(c) for c in (row.what, *figure, beside, ratio, row.target(), met, command)]


HEADER = ("| what | median | min–max | runs | floor or peer beside it (median, min–max) | ratio "
          "| target | met? | command that measured it |\n"
          "|---|---:|---:|---:|---|---:|---|:---:|---|")


def table(rows: list[Row]) -> str:
    lines = [HEADER]
    lines += ["| " + " | ".join(row_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages and running/total tasks, as /proc/loadavg says."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:4])
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> str:
    return (f"{platform.platform()}; CPU: {cpu_model()}, {os.cpu_count()} logical cores; "
            f"Python {platform.python_version()} ({platform.python_implementation()})")


@dataclass
class Group:
    name: str
    before: str
    after: str = ""
    seconds: float = 0.0


@dataclass
class Bench:
    """Rows and the load around each group of them. A group that fails becomes a failed row
    (with the reason) and the bench goes on."""

    rows: list[Row] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    echo: Callable[[str], None] = print

    @contextmanager
    def group(self, name: str, *, must: int | None = None) -> Iterator[Group]:
        entry = Group(name, before=loadavg())
        self.groups.append(entry)
        self.echo(f"-- {name} (load {entry.before})")
        started = time.perf_counter()
        try:
            yield entry
        except Exception as error:
            detail = "".join(traceback.format_exception_only(error)).strip()
            self.rows.append(Row(what=name, figure=None, command="", failed=detail[:300],
                                 must=must))
            self.echo(f"   FAILED: {detail}")
        finally:
            entry.seconds = time.perf_counter() - started
            entry.after = loadavg()

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        self.echo("   " + " | ".join(row_cells(row)[:7]))
        return row

    def must_rows(self) -> list[Row]:
        return sorted((r for r in self.rows if r.must is not None), key=lambda r: r.must or 0)

    def other_rows(self) -> list[Row]:
        return [r for r in self.rows if r.must is None]

    def loads(self) -> str:
        lines = ["| group | load before | load after | took |", "|---|---|---|---:|"]
        lines += [f"| {g.name} | {g.before} | {g.after} | {amount(g.seconds, 's')} |"
                  for g in self.groups]
        return "\n".join(lines)


class CommandFailed(Exception):
    pass


LAUNCHER = Path(__file__).resolve().with_name("peak.py")


def process_runner(argv: list[str], *, env: dict | None = None, limit: float | None = None,
                   python: str = sys.executable) -> Runner:
    """A runner that runs `argv` through peak.py (so its peak RSS is its own, not the bench's)
    and returns its wall time and peak memory; killed with its process group at `limit`
    seconds, the sample says so. A non-zero exit fails the run: a figure of a command that
    did not work is no figure."""

    def run() -> Sample:
        with tempfile.TemporaryFile() as err_file:  # a file, not a pipe: never fills and blocks
            child = subprocess.Popen([python, "-S", str(LAUNCHER), *argv], env=env,
                                     stdout=subprocess.PIPE, stderr=err_file,
                                     start_new_session=True)
            try:
                out, _ = child.communicate(timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.communicate()
                return Sample(limit or 0.0, None, stopped=True)
            err_file.seek(0)
            err = err_file.read().decode(errors="replace").strip()
        try:
            seconds, peak_kib, code = out.decode().split()
        except ValueError:
            raise CommandFailed(f"{' '.join(argv[:4])}…: the launcher failed: {err[-300:]}") \
                from None
        if int(code):
            raise CommandFailed(f"{' '.join(argv[:4])}…: exit {code}: {err[-300:]}")
        return Sample(float(seconds), int(peak_kib) / 1024)

    return run
