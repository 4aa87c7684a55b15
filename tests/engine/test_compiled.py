"""The compiled loops where numba has nowhere to write its cache (a read-only install with no
writable home): finmodel still runs, compiling in each process."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import finmodel
r = finmodel.run(finmodel.load("base"))
s = finmodel.simulate(finmodel.load("base"), 2000, seed=1)
print(r.summary["checks_ok"], int(s.stats["count"].max()))
"""


def test_runs_where_the_cache_cannot_be_written():
    # numba's only cache locator is then the one for modules inside zip files: none applies
    env = os.environ | {"NUMBA_CACHE_LOCATOR_CLASSES": "numba.core.caching.ZipCacheLocator"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "2000"]


# --- a single scenario without numba (issue 13: start-up of `finmodel run`) ----------------------

import math  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402

import finmodel  # noqa: E402
from finmodel.engine import compiled as compiled_module  # noqa: E402
from finmodel.engine import irr, lenders, schedule, tiers  # noqa: E402
from finmodel.studies import quantiles  # noqa: E402
from tests.strategies import assumption_dicts, validated  # noqa: E402

KERNELS = [
    k for m in (irr, lenders, schedule, tiers, quantiles) for k in vars(m).values()
    if isinstance(k, compiled_module.Kernel)
]  # fmt: skip


def test_a_single_run_does_not_load_numba():
    script = ("import sys, finmodel\n"
              "r = finmodel.run(finmodel.load('base'))\n"
              "print(r.summary['checks_ok'], 'numba' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False"]


def _numbers(result) -> list[float]:
    s = result.summary
    return [
        v for group in ("parties", "vehicles") for entry in s[group].values()
        for v in entry.values() if isinstance(v, float)
    ]  # fmt: skip


def _as_python(monkeypatch) -> None:
    """Every loop as plain Python: nothing compiled yet, every call small."""
    monkeypatch.setattr(compiled_module, "_state", {"compiled": False})
    monkeypatch.setattr(compiled_module, "SMALL", 10**12)
    for k in KERNELS:
        monkeypatch.setattr(k, "_jit", None)


def test_kernels_are_every_compiled_loop():
    # irr 6, lenders 1, schedule 1, tiers 2, quantiles 3 (the @compiled decorators in the code)
    assert len(KERNELS) == 13


@settings(max_examples=25, deadline=None)
@given(assumption_dicts())
def test_plain_python_and_compiled_loops_give_the_same_numbers(d):
    a = validated(d)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled_module, "SMALL", -1)  # every call compiled
        fast = _numbers(finmodel.run(a))
    with pytest.MonkeyPatch.context() as mp:
        _as_python(mp)
        plain = _numbers(finmodel.run(a))
    assert len(fast) == len(plain)
    for x, y in zip(fast, plain):
        # the same IEEE operations in the same order; a libm's exp or log may differ by an ulp
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-6)
    assert np.isfinite([x for x in fast if not math.isnan(x)]).all()
