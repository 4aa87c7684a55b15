"""Reading assumption files: linear in their size, and hostile ones refused at once.

Run:  python benchmarks/bench_inputs.py
(it measures the finmodel Python imports; for a checkout that is not the installed one,
PYTHONPATH=. python benchmarks/bench_inputs.py from its root)

Writes scenario files into a temporary folder and times ``load_with_origins`` on each, best of
3, against a baseline read here: the shipped base case (23 KB, 7 vehicles). Figures:

- files extending the base case with 1,000 and 3,000 more vehicles (grants, 157 bytes each):
  the ratio of their times is the ratio of their sizes if reading is linear (the merge of an
  ``extends`` chain was quadratic: 3,000 vehicles took 26 s, 10,000 more than two minutes);
- hostile files, each refused by a limit of ``finmodel.limits``: a "billion laughs" (9 levels
  of 9 aliases), 5,000 nested brackets, an integer of 5,000 digits, a 200 MB file (written
  as a sparse file: its size says 200 MB, only the limit's worth is read), 10,000 vehicles.

Nothing here asserts a time: these are figures to read, not tests. For whole processes
(import included) and their memory, run ``finmodel validate`` on the same files under
``/usr/bin/time -v``; docs/limits.md has the figures measured so.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's finmodel

from finmodel.exceptions import InputError
from finmodel.inputs.loader import load_with_origins

BASE = Path(__file__).resolve().parents[1] / "assumptions" / "base.yaml"


def best(f: Callable[[], object], n: int = 3) -> float:
    """Best of ``n`` wall-clock timings of ``f()``, in seconds."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def vehicles(n: int) -> str:
    """A file extending the base case with ``n`` grants."""
    rows = [f"extends: {BASE}", f"name: many{n}", "vehicles:"]
    for i in range(n):
        rows += [
            f"  g{i}:",
            f"    name: grant {i}",
            "    kind: grant",
            "    capital: {contributions: [{party: europe, amount_bn: 0.001}]}",
            "    waterfall: {profit_split: {ukraine: 1.0}}",
        ]
    return "\n".join(rows) + "\n"


def hostile() -> dict[str, str]:
    laughs = ['name: lol', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return {
        "billion laughs": "\n".join(laughs) + "\n",
        "5,000 nested brackets": "name: x\nd: " + "[" * 5000 + "]" * 5000 + "\n",
        "an integer of 5,000 digits": f"extends: {BASE}\ndiscount_rate: {'9' * 5000}\n",
        "10,000 vehicles": vehicles(10_000),
    }


def refused(path: Path) -> str:
    try:
        load_with_origins(path)
    except InputError as e:
        return e.message
    raise AssertionError(f"{path} was accepted")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        base = best(lambda: load_with_origins(BASE))
        print(f"baseline: the base case, {BASE.stat().st_size:,} bytes: {base * 1e3:.1f} ms")
        times = {}
        for n in (1_000, 3_000):
            p = folder / f"v{n}.yaml"
            p.write_text(vehicles(n))
            times[n] = best(lambda p=p: load_with_origins(p))
            print(
                f"{n:,} more vehicles, {p.stat().st_size:,} bytes: {times[n]:.2f} s "
                f"= {times[n] / base:.0f}x the baseline"
            )
        print(f"3,000 / 1,000 vehicles: {times[3_000] / times[1_000]:.2f}x the time (3x if linear)")
        files = hostile()
        big = folder / "200mb.yaml"
        with big.open("wb") as f:  # sparse: says 200 MB, holds only what is written
            f.write(b"name: big\n")
            f.truncate(200 * 1024 * 1024)
        for label, text in files.items():
            p = folder / f"{label.split()[0]}.yaml"
            p.write_text(text)
            files[label] = str(p)
        files["a 200 MB file"] = str(big)
        for label, path in files.items():
            seconds = best(lambda path=path: refused(Path(path)))
            print(
                f"{label}: refused in {seconds * 1e3:.1f} ms = {seconds / base:.1f}x the "
                f"baseline ({refused(Path(path))})"
            )


if __name__ == "__main__":
    main()
