"""The benchmark script stays importable as the code moves (it is run by `make bench`, not CI)."""

import importlib.util
from pathlib import Path


def test_benchmark_script_imports_and_names_its_targets():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    spec = importlib.util.spec_from_file_location("bench_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the measuring runs only under __main__
    assert callable(module.main)
    source = path.read_text()
    assert '(["--version"], 0.100' in source and '(["--help"], 0.150' in source  # SPEC §9
    assert "time_call(export, runs=3), 15.0" in source  # a 200-record child export ≤ 15 s
