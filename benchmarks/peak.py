"""Run one command and print its wall time, peak resident memory and exit code:

    python -S benchmarks/peak.py COMMAND [ARG…]   ->   "<seconds> <peak KiB> <exit code>"

Why a launcher: on Linux a child's ru_maxrss starts at the high-water mark of the process it
was forked from (the kernel keeps the old image's peak across exec, and Popen's vfork shares the
parent's memory), so a command started straight from the bench, which holds a store and a few
hundred MB of its own, would be charged with the bench's memory. Forked from this small process
instead, the figure is the command's own (with this process's ~10 MB as its least value).
The command's output goes to /dev/null, its errors to this process's standard error.
"""

import os
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.6f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
