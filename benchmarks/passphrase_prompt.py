"""Enter to the store passphrase prompt: `supervise person list` started in a pseudo-terminal
(80x24) and timed until its prompt is on the screen; beside it, interleaved, Python's own start-up
(`python -c pass`, started the same way and timed to its exit). Medians and ranges in ms.

    .venv/bin/python benchmarks/passphrase_prompt.py [STORE] [--runs N]
                                    (default: .demo/store.db, which `make demo` builds)
"""

import os
import statistics
import sys
import time
from pathlib import Path

import pexpect

RUNS = 10
PROMPT = "Store passphrase"


def _env(store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env["SUPERVISE_STORE"] = str(store)
    return env


def to_prompt(exe: str, store: Path) -> float:
    """Seconds from starting `exe person list` until its passphrase prompt shows."""
    started = time.perf_counter()
    child = pexpect.spawn(exe, ["person", "list"], env=_env(store), dimensions=(24, 80),
                          encoding="utf-8", timeout=60)
    child.expect(PROMPT)
    elapsed = time.perf_counter() - started
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def python_start(python: str) -> float:
    """Seconds for `python -c pass` in the same kind of terminal, start to exit."""
    started = time.perf_counter()
    child = pexpect.spawn(python, ["-c", "pass"], dimensions=(24, 80), encoding="utf-8",
                          timeout=60)
    child.expect(pexpect.EOF)
    elapsed = time.perf_counter() - started
    child.close()
    return elapsed


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Enter to the passphrase prompt.")
    parser.add_argument("store", nargs="?", type=Path, default=Path(".demo/store.db"))
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    store = args.store.resolve()
    if not store.exists():
        raise SystemExit(f"No store at {store}: run `make demo` first, or give one.")
    exe = str(Path(sys.executable).with_name("supervise"))
    load = os.getloadavg()[0]
    prompt, start = [], []
    for _ in range(args.runs):
        prompt.append(to_prompt(exe, store) * 1000)
        start.append(python_start(sys.executable) * 1000)
    for what, times in (("Enter to the passphrase prompt", prompt),
                        ("python -c pass, beside it", start)):
        print(f"{what}: median {statistics.median(times):.0f} ms (min {min(times):.0f}, "
              f"max {max(times):.0f}; {args.runs} runs)")
    print(f"load {load:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main(sys.argv[1:])
