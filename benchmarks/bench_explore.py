"""The explorer page: precompute time, page size, time to interactive and a slider's redraw,
each beside a baseline measured in the same process.

Run:  python benchmarks/bench_explore.py            (the shipped readings, default sliders)
      python benchmarks/bench_explore.py --no-browser

Figures (nothing here asserts a time; the targets are in docs/explorer.md):
- precompute: ``explore`` over every shipped reading's grid, cold (first call in this process:
  imports done, the engine's compiled loops not yet) and warm; the baseline is the same grid
  points as single runs (``finmodel.run(with_overrides(...))``), timed on a sample of points
  and scaled to the grid, so the ratio is what batching saves;
- the page's size, and the share of it that is Vega-Lite's bundle;
- time to interactive in headless Chromium (the page's own ``finmodelReady``: ms from the start
  of navigation to the first charts drawn), against a page holding the same bundle and no data;
- a slider move redrawn (median of 24 moves, timed inside the page from the input to every
  chart redrawn), against a reading change (which re-embeds every chart).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import finmodel  # noqa: E402
from finmodel.inputs.loader import with_overrides  # noqa: E402
from finmodel.reports import explore as page  # noqa: E402
from finmodel.studies.explore import explore, shipped_readings  # noqa: E402

SAMPLE = 40
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync")  # fmt: skip


def precompute() -> tuple[float, float, float, int, object]:
    readings = [finmodel.load(n) for n in shipped_readings()]
    t = time.perf_counter()
    e = explore(readings)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    e = explore(readings)
    warm = time.perf_counter() - t
    n = sum(g.n_points for g in e.readings)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(SAMPLE):
        g = e.readings[rng.integers(len(e.readings))]
        values = {s.key: s.values[rng.integers(len(s.values))] for s in g.sliders}
        finmodel.run(with_overrides(g.assumptions, values))
    loop = (time.perf_counter() - t) / SAMPLE * n
    return cold, warm, loop, n, e


def browser_times(path: Path, empty: Path) -> dict[str, float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for flag in FLAGS.split():
        o.add_argument(flag)
    o.add_argument(f"--user-data-dir={tempfile.mkdtemp()}")
    o.add_argument("--window-size=1280,2200")
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    try:
        d.get(empty.as_uri())
        bundle_only = d.execute_script("return window.bundleLoaded")
        ready = []
        for _ in range(3):
            d.get(path.as_uri())
            while not d.execute_script("return window.finmodelReady"):
                time.sleep(0.02)
            ready.append(d.execute_script("return window.finmodelReady"))
        moves = d.execute_async_script("""
            const done = arguments[0], x = window.finmodelExplorer, out = [];
            (async () => {
              await x.idle();
              for (let k = 0; k < 24; k++) {
                const t = performance.now();
                await x.setSlider(k % 2, (k * 3) % 5);
                out.push(performance.now() - t);
              }
              const t = performance.now();
              await x.setReading("russia_keeps_title");
              out.push(performance.now() - t);
              done(out);
            })();""")
    finally:
        d.quit()
    return {
        "bundle_only_ms": bundle_only,
        "interactive_ms": statistics.median(ready),
        "slider_ms": statistics.median(moves[:-1]),
        "slider_max_ms": max(moves[:-1]),
        "reading_change_ms": moves[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    cold, warm, loop, n, e = precompute()
    print(f"precompute: {n:,} grid points in {len(e.readings)} readings: cold {cold:.2f} s, "
          f"warm {warm:.2f} s; as single runs ~{loop:.1f} s (from {SAMPLE}): "
          f"{loop / warm:.0f}x the warm precompute")  # fmt: skip
    text = page.html(e)
    size = len(text.encode("utf-8"))
    bundle = len(page.vega_bundle().encode("utf-8"))
    print(f"page: {size / 2**20:.2f} MiB, of which Vega-Lite's bundle {bundle / 2**20:.2f} MiB "
          f"({bundle / size:.0%})")  # fmt: skip
    if args.no_browser:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readings.explore.html"
        path.write_text(text, encoding="utf-8")
        empty = Path(tmp) / "bundle.html"
        empty.write_text(
            f"<!DOCTYPE html><script>{page.vega_bundle()}</script>"
            "<script>window.bundleLoaded = performance.now()</script>",
            encoding="utf-8",
        )
        b = browser_times(path, empty)
    print(f"interactive: {b['interactive_ms']:.0f} ms after navigation (median of 3); the "
          f"bundle alone loads in {b['bundle_only_ms']:.0f} ms "
          f"({b['interactive_ms'] / b['bundle_only_ms']:.1f}x)")  # fmt: skip
    print(f"slider move redrawn: median {b['slider_ms']:.1f} ms, max {b['slider_max_ms']:.1f} ms "
          f"(24 moves); a reading change re-embeds in {b['reading_change_ms']:.0f} ms "
          f"({b['reading_change_ms'] / b['slider_ms']:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
