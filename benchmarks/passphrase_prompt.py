"""Enter to the store passphrase prompt: `supervise person list` started in a pseudo-terminal
(80x24), timed until its prompt is on the screen, ten times; the median and range in ms.

    .venv/bin/python benchmarks/passphrase_prompt.py [STORE]   (default: .demo/store.db,
                                                              which `make demo` builds)
"""

import os
import statistics
import sys
import time
from pathlib import Path

import pexpect

RUNS = 10


def main() -> None:
    store = Path(sys.argv[1] if len(sys.argv) > 1 else ".demo/store.db").resolve()
    if not store.exists():
        raise SystemExit(f"No store at {store}: run `make demo` first, or give one.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env["SUPERVISE_STORE"] = str(store)
    exe = str(Path(sys.executable).with_name("supervise"))
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        child = pexpect.spawn(exe, ["person", "list"], env=env, dimensions=(24, 80),
                              encoding="utf-8", timeout=30)
        child.expect("Store passphrase")
        times.append((time.perf_counter() - started) * 1000)
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    print(f"Enter to the passphrase prompt: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}; {RUNS} runs; load "
          f"{os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
