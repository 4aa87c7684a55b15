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
