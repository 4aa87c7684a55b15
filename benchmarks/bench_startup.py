"""Start-up time of the command line, as whole processes, against baselines run side by side.

Run:  python benchmarks/bench_startup.py             (about a minute; -n sets the repeats)

Each command runs N times, interleaved with its baselines (so that a busy machine slows them
alike): ``python -c "import pandas"`` and ``python -c "import numpy, pandas, openpyxl"``.
Prints min and median seconds of each, and the ratios of the medians the targets name:

- ``finmodel --help`` and ``finmodel validate``: within 1.5x of importing pandas;
- ``finmodel run`` (the base case, its report written): within 2x of importing numpy, pandas
  and openpyxl.

The commands run as ``python -m finmodel.cli`` from the repository root, with numba's on-disk
cache warm (one run first). Nothing here asserts a time: these are figures to read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands(out: str) -> dict[str, list[str]]:
    """The processes timed, by name: the baselines first."""
    py = [sys.executable]
    cli = [*py, "-m", "finmodel.cli"]
    return {
        "import pandas": [*py, "-c", "import pandas"],
        "import numpy+pandas+openpyxl": [*py, "-c", "import numpy, pandas, openpyxl"],
        "finmodel --help": [*cli, "--help"],
        "finmodel validate": [*cli, "validate", "assumptions/base.yaml"],
        "finmodel run": [*cli, "run", "--out", out],
    }


#: (command, baseline, target ratio of medians)
TARGETS = [
    ("finmodel --help", "import pandas", 1.5),
    ("finmodel validate", "import pandas", 1.5),
    ("finmodel run", "import numpy+pandas+openpyxl", 2.0),
]


def seconds(argv: list[str]) -> float:
    """Wall time of one process, which must succeed."""
    t = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def measure(n: int) -> dict[str, list[float]]:
    """Each command ``n`` times, interleaved round by round."""
    with tempfile.TemporaryDirectory() as out:
        cmds = commands(out)
        for argv in cmds.values():  # warm: the OS's file cache, numba's on-disk cache
            seconds(argv)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(n):
            for name, argv in cmds.items():
                times[name].append(seconds(argv))
    return times


def report(times: dict[str, list[float]]) -> dict:
    """min and median of each; each target's ratio of medians."""
    rows = {k: {"min_s": min(v), "median_s": statistics.median(v)} for k, v in times.items()}
    ratios = {
        f"{cmd} / {base}": {
            "ratio": rows[cmd]["median_s"] / rows[base]["median_s"],
            "target": target,
        }
        for cmd, base, target in TARGETS
    }
    return {"seconds": rows, "ratios": ratios}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=7, help="repeats of each command (default 7)")
    result = report(measure(p.parse_args().n))
    for name, r in result["seconds"].items():
        print(f"{name:<30} min {r['min_s']:.3f} s   median {r['median_s']:.3f} s")
    for name, r in result["ratios"].items():
        ok = "within" if r["ratio"] <= r["target"] else "OVER"
        print(f"{name:<50} {r['ratio']:.2f}x  ({ok} {r['target']}x)")
    print(json.dumps(result, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
