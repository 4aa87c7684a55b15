"""Write docs/explorer.png: the explorer page of the shipped readings in headless Chromium.

Run:  python scripts/explorer_screenshot.py  (needs selenium, /usr/bin/chromium and chromedriver)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

import finmodel  # noqa: E402
from finmodel.reports.explore import write_explore  # noqa: E402
from finmodel.studies.explore import explore, shipped_readings  # noqa: E402

FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        [path] = write_explore(explore([finmodel.load(n) for n in shipped_readings()]), tmp)
        o = webdriver.ChromeOptions()
        o.binary_location = "/usr/bin/chromium"
        for flag in FLAGS.split():
            o.add_argument(flag)
        o.add_argument(f"--user-data-dir={Path(tmp) / 'profile'}")
        o.add_argument("--window-size=1280,1500")
        d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
        try:
            d.get(path.as_uri())
            while not d.execute_script("return window.finmodelReady"):
                time.sleep(0.05)
            d.save_screenshot(str(ROOT / "docs" / "explorer.png"))
        finally:
            d.quit()
    print("wrote docs/explorer.png")


if __name__ == "__main__":
    main()
